# Label gpu, tests gpu.prebuilt.<version>.<example>: the examples' programs
# built against kernels that another Triton release generated, so that a GPU
# machine with one Triton runs what every tested release makes.
# TRITON_AOT_PREBUILT_KERNELS names a folder of <version>/<target>/, each a
# copy of what add_triton_kernels generated for that target (fatbins,
# metadata, sources, headers), as scripts/compat-prebuilt.sh collects them
# from the compat tests' results.
set(TRITON_AOT_PREBUILT_KERNELS "" CACHE PATH
    "Folder of <triton version>/<target>/ generated kernels to build the examples against (tests, label gpu)")

# A library of the generated sources under `folder`/<kernels>, compiled the
# way add_triton_kernels compiles its own.
function(_triton_aot_prebuilt_library target folder kernels)
  file(GLOB sources CONFIGURE_DEPENDS "${folder}/${kernels}/*.cpp")
  if(NOT sources)
    message(FATAL_ERROR "TRITON_AOT_PREBUILT_KERNELS: no generated sources in ${folder}/${kernels}")
  endif()
  add_library(${target} STATIC ${sources})
  _triton_aot_generated_code_settings(${target} PUBLIC "${folder}" "${folder}/${kernels}")
endfunction()

if(TRITON_AOT_PREBUILT_KERNELS)
  file(GLOB version_dirs LIST_DIRECTORIES true "${TRITON_AOT_PREBUILT_KERNELS}/*")
  foreach(version_dir IN LISTS version_dirs)
    cmake_path(GET version_dir FILENAME version)
    string(MAKE_C_IDENTIFIER "${version}" id)
    foreach(example vector_add softmax matmul)
      set(program prebuilt_${id}_${example})
      _triton_aot_prebuilt_library(${program}_kernels "${version_dir}" ${example}_kernels)
      add_executable(${program} "${PROJECT_SOURCE_DIR}/examples/${example}/main.cc")
      target_include_directories(${program} PRIVATE "${PROJECT_SOURCE_DIR}/examples/common")
      target_link_libraries(${program} PRIVATE ${program}_kernels CUDA::cudart_static)
      add_test(NAME gpu.prebuilt.${version}.${example} COMMAND ${program})
      set_tests_properties(gpu.prebuilt.${version}.${example} PROPERTIES LABELS gpu SKIP_REGULAR_EXPRESSION "SKIP:"
                           FAIL_REGULAR_EXPRESSION "FAIL:")
    endforeach()
  endforeach()
endif()
