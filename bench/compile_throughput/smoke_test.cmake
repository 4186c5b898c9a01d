# Included by tests/CMakeLists.txt: the compile-throughput benchmark's smoke test (label bench), with the
# Python that the integration tests use (test_python, empty when it has no Triton: the test then skips and
# says why) and this project's build tree as the TritonAOT to build with.
set(_bench_cuda_root "")
if(CUDAToolkit_BIN_DIR)
  cmake_path(GET CUDAToolkit_BIN_DIR PARENT_PATH _bench_cuda_root)
endif()
cmake_path(GET CMAKE_COMMAND PARENT_PATH _bench_cmake_dir)
cmake_path(GET CMAKE_MAKE_PROGRAM PARENT_PATH _bench_ninja_dir)
add_test(NAME bench.compile_throughput.smoke
         COMMAND bash "${PROJECT_SOURCE_DIR}/bench/compile_throughput/smoke_test.sh" "${test_python}"
                 "${PROJECT_BINARY_DIR}" "${PROJECT_BINARY_DIR}/bench-smoke")
set(_bench_env "PATH=path_list_prepend:${_bench_ninja_dir}" "PATH=path_list_prepend:${_bench_cmake_dir}")
if(_bench_cuda_root)
  list(APPEND _bench_env "CUDAToolkit_ROOT=set:${_bench_cuda_root}")
endif()
# It asserts no time, so it may share the machine with other tests (about a minute alone on 2 cores).
set_tests_properties(bench.compile_throughput.smoke PROPERTIES LABELS bench TIMEOUT 600 SKIP_RETURN_CODE 77
                     ENVIRONMENT_MODIFICATION "${_bench_env}")

# Row (h) in small: the parallel build's outputs must equal the serial build's (no time asserted).
add_test(NAME bench.edge_jobs.smoke
         COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/bench/compile_throughput/edge_jobs.py" --small
                 --tritonaot-dir "${PROJECT_BINARY_DIR}" --python "${test_python}"
                 --out "${PROJECT_BINARY_DIR}/bench-edge-jobs")
set_tests_properties(bench.edge_jobs.smoke PROPERTIES LABELS bench TIMEOUT 600 SKIP_RETURN_CODE 77
                     ENVIRONMENT_MODIFICATION "${_bench_env}")
