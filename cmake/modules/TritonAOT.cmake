# TritonAOT: compile Triton kernel modules ahead of time, one build edge each.
#
#   add_triton_kernels(<target> MODULES <file.py>... [options])
#
# is the sum of two public pieces, for projects that need something unusual:
#
#   triton_aot_compile_module(MODULE <file.py> OUTPUT_DIRECTORY <dir> ...)
#       one custom command (one Ninja edge) that runs the driver on one module;
#       returns the generated files.
#   triton_aot_resolve_architectures(<out-var> [<arch>...])
#       the architecture list after defaults and CMake's -real/-virtual forms.
#
# See docs/cmake.md for every keyword.
include_guard(GLOBAL)

set(TRITON_AOT_DEFAULT_ARCHITECTURES "80;90;100" CACHE STRING
    "GPU architectures compiled when neither ARCHITECTURES nor CMAKE_CUDA_ARCHITECTURES is set")
set(TRITON_AOT_PYTHON "" CACHE FILEPATH
    "Python interpreter that has Triton (default: the Python3 interpreter CMake finds)")
set(TRITON_AOT_PTXAS "" CACHE FILEPATH
    "ptxas to use for every target (default: TRITON_PTXAS_PATH, the CUDA toolkit's, Triton's bundled, PATH)")
set(TRITON_AOT_LOAD_TIMEOUT 120 CACHE STRING
    "Seconds that starting Python and importing one kernel module may take before its build step fails")
option(TRITON_AOT_SERVICE "Compile in workers of a warm compile service per build tree (OFF: a Python per edge)" ON)
set(TRITON_AOT_SERVICE_IDLE_TIMEOUT 900 CACHE STRING
    "Seconds the compile service waits for work before it exits")
set(TRITON_AOT_EDGE_JOBS "" CACHE STRING
    "Most compiles of one kernel module at once, each taking a free core of the build tree's pool (empty: one per core; 1: one after another)")
# OFF for the ptxas Triton's JIT would use, e.g. when the CUDA driver where
# the kernels run is older than the toolkit (a cubin from a newer ptxas does
# not load there).
option(TRITON_AOT_USE_TOOLKIT_PTXAS "Prefer the CUDA toolkit's ptxas to the one bundled with Triton" ON)
option(TRITON_AOT_CACHE "Reuse compiled kernels from the artifact cache (content-addressed, shared by build trees)" ON)
set(TRITON_AOT_CACHE_DIR "" CACHE PATH
    "Artifact cache folder (default: $TRITON_AOT_CACHE_DIR, else $XDG_CACHE_HOME/triton-aot, else ~/.cache/triton-aot)")
set(TRITON_AOT_CACHE_SIZE "2G" CACHE STRING
    "Largest size of the artifact cache; least recently used entries go first (e.g. 512M, 2G)")

# Fails configuration with one message; the arguments are concatenated, which
# keeps long messages readable in the source.
function(_triton_aot_fail)
  set(text "")
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE ${last})
    string(APPEND text "${ARGV${i}}")
  endforeach()
  message(FATAL_ERROR "TritonAOT: ${text}")
endfunction()

# The CUDA tools every edge needs: fatbinary (required) and the toolkit's ptxas
# (one candidate among several).
function(_triton_aot_find_cuda_tools)
  if(TRITON_AOT_FATBINARY)
    return()
  endif()
  find_package(CUDAToolkit QUIET)
  find_program(TRITON_AOT_FATBINARY fatbinary HINTS "${CUDAToolkit_BIN_DIR}" /usr/local/cuda/bin
               DOC "CUDA's fatbinary, which packs the cubins and PTX of each kernel variant")
  if(NOT TRITON_AOT_FATBINARY)
    _triton_aot_fail("CUDA's 'fatbinary' was not found. Install the CUDA toolkit (it is in its bin folder), "
                     "or pass -DCUDAToolkit_ROOT=<toolkit> or -DTRITON_AOT_FATBINARY=<path to fatbinary>.")
  endif()
  set(toolkit_ptxas "")
  if(CUDAToolkit_BIN_DIR AND EXISTS "${CUDAToolkit_BIN_DIR}/ptxas")
    set(toolkit_ptxas "${CUDAToolkit_BIN_DIR}/ptxas")
  endif()
  set(TRITON_AOT_TOOLKIT_PTXAS "${toolkit_ptxas}" CACHE INTERNAL "the CUDA toolkit's ptxas")
endfunction()

# Checks once per configure run and interpreter that it imports a Triton that
# TritonAOT supports (the range is in triton_aot_versions.py), and says how to
# fix it: older than supported is an error, newer than tested a warning.
function(_triton_aot_check_python python)
  string(MD5 key "${python}")
  get_property(checked GLOBAL PROPERTY _TRITON_AOT_PYTHON_CHECKED_${key})
  if(checked)
    return()
  endif()
  get_property(frontend GLOBAL PROPERTY TRITON_AOT_FRONTEND)
  cmake_path(REPLACE_FILENAME frontend "triton_aot_versions.py" OUTPUT_VARIABLE versions_script)
  execute_process(
    COMMAND "${python}" "${versions_script}"
    RESULT_VARIABLE result OUTPUT_VARIABLE answer ERROR_VARIABLE error
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0)
    string(REGEX MATCH "[^\n]*Error[^\n]*" reason "${error}")
    if(reason)
      set(detail "${reason}; exit status ${result}")
    else()
      set(detail "${result}")  # it did not run: result says why
    endif()
    _triton_aot_fail("the Python interpreter '${python}' cannot import triton (${detail}). "
                     "Install it there (python -m pip install triton==3.6.0), or point TritonAOT at a Python "
                     "that has it: -DTRITON_AOT_PYTHON=/path/to/python or add_triton_kernels(... PYTHON <path>).")
  endif()
  # Three lines: status, version, message (which may hold ';').
  string(REGEX MATCH "^([^\n]*)\n([^\n]*)\n(.*)$" matched "${answer}")
  set(status "${CMAKE_MATCH_1}")
  set(version "${CMAKE_MATCH_2}")
  set(text "${CMAKE_MATCH_3}")
  if(status STREQUAL "too-old")
    _triton_aot_fail("${python}: ${text}")
  elseif(status STREQUAL "untested")
    message(WARNING "TritonAOT: ${python}: ${text}")
  else()
    message(STATUS "TritonAOT: ${python} has Triton ${version}")
  endif()
  set_property(GLOBAL PROPERTY _TRITON_AOT_PYTHON_CHECKED_${key} TRUE)
endfunction()

function(_triton_aot_default_python out_var)
  if(TRITON_AOT_PYTHON)
    set(${out_var} "${TRITON_AOT_PYTHON}" PARENT_SCOPE)
    return()
  endif()
  if(NOT Python3_EXECUTABLE)
    find_package(Python3 COMPONENTS Interpreter QUIET)
  endif()
  if(NOT Python3_EXECUTABLE)
    _triton_aot_fail("no Python interpreter found. Set -DTRITON_AOT_PYTHON=/path/to/python (one that has Triton).")
  endif()
  set(${out_var} "${Python3_EXECUTABLE}" PARENT_SCOPE)
endfunction()

function(triton_aot_resolve_architectures out_var)
  set(archs ${ARGN})
  set(origin "ARCHITECTURES")
  if(NOT archs AND CMAKE_CUDA_ARCHITECTURES)
    set(archs ${CMAKE_CUDA_ARCHITECTURES})
    set(origin "CMAKE_CUDA_ARCHITECTURES")
  endif()
  if(NOT archs)
    set(archs ${TRITON_AOT_DEFAULT_ARCHITECTURES})
    set(origin "TRITON_AOT_DEFAULT_ARCHITECTURES")
  endif()
  set(resolved "")
  foreach(arch IN LISTS archs)
    if(arch MATCHES "^(native|all|all-major|OFF)$")
      _triton_aot_fail("${origin} is '${arch}', which names no architecture before a GPU is seen. "
                       "Pass add_triton_kernels(... ARCHITECTURES 80 90 ...) with the architectures to build for.")
    endif()
    if(arch MATCHES "-virtual$")
      _triton_aot_fail("${origin}: '${arch}': virtual (PTX-only) architectures are not built on their own; "
                       "TritonAOT adds the PTX of the newest listed architecture to every fatbin. List real ones.")
    endif()
    string(REGEX REPLACE "-real$" "" arch "${arch}")
    if(NOT arch MATCHES "^(sm_)?[0-9]+a?$")
      _triton_aot_fail("${origin}: '${arch}' is not a GPU architecture; write compute capabilities such as "
                       "80 90 90a 100.")
    endif()
    list(APPEND resolved "${arch}")
  endforeach()
  list(REMOVE_DUPLICATES resolved)
  set(${out_var} "${resolved}" PARENT_SCOPE)
endfunction()

# The frontend and the scripts beside it that it and the service import, into
# <out_var>: the edge reruns when any of them changes.
function(_triton_aot_driver_scripts out_var frontend)
  set(files "${frontend}")
  foreach(name IN ITEMS triton_aot_protocol.py triton_aot_describe.py triton_aot_imports.py
                    triton_aot_versions.py triton_aot_target.py triton_aot_prune.py triton_aot_service.py
                    triton_aot_worker.py)
    cmake_path(REPLACE_FILENAME frontend "${name}" OUTPUT_VARIABLE file)
    list(APPEND files "${file}")
  endforeach()
  set(${out_var} "${files}" PARENT_SCOPE)
endfunction()

# The driver's options that follow the TRITON_AOT_* settings of the project,
# into <out_var>: the ptxas to use (<ptxas>, else TRITON_AOT_PTXAS), the load
# timeout, the compile service and the artifact cache.
function(_triton_aot_driver_options out_var ptxas)
  if(NOT ptxas)
    set(ptxas "${TRITON_AOT_PTXAS}")
  endif()
  set(args "")
  if(ptxas)
    list(APPEND args "--ptxas=${ptxas}")
  endif()
  if(TRITON_AOT_USE_TOOLKIT_PTXAS AND TRITON_AOT_TOOLKIT_PTXAS)
    list(APPEND args "--toolkit-ptxas=${TRITON_AOT_TOOLKIT_PTXAS}")
  endif()
  list(APPEND args "--load-timeout=${TRITON_AOT_LOAD_TIMEOUT}")
  list(APPEND args "--build-tree=${CMAKE_BINARY_DIR}")
  if(NOT TRITON_AOT_EDGE_JOBS STREQUAL "")
    list(APPEND args "--edge-jobs=${TRITON_AOT_EDGE_JOBS}")
  endif()
  if(TRITON_AOT_SERVICE)
    list(APPEND args "--service-idle-timeout=${TRITON_AOT_SERVICE_IDLE_TIMEOUT}")
  else()
    list(APPEND args "--no-service")
  endif()
  if(NOT TRITON_AOT_CACHE)
    list(APPEND args "--no-cache")
  else()
    if(TRITON_AOT_CACHE_DIR)
      list(APPEND args "--cache-dir=${TRITON_AOT_CACHE_DIR}")
    endif()
    list(APPEND args "--cache-size=${TRITON_AOT_CACHE_SIZE}")
  endif()
  set(${out_var} "${args}" PARENT_SCOPE)
endfunction()

# triton_aot_compile_module(MODULE <file.py> OUTPUT_DIRECTORY <dir> NAMESPACE <ns>
#     [ARCHITECTURES <arch>...] [PYTHON <exe>] [PTXAS <path>] [JOB_POOL <pool>]
#     [SOURCE_ROOT <dir>] [SOURCES_VAR <var>] [HEADERS_VAR <var>] [FATBIN_DIR_VAR <var>])
#
# Must be called in the directory of the target that compiles the sources.
function(triton_aot_compile_module)
  cmake_parse_arguments(PARSE_ARGV 0 arg ""
    "MODULE;OUTPUT_DIRECTORY;NAMESPACE;PYTHON;PTXAS;JOB_POOL;SOURCE_ROOT;SOURCES_VAR;HEADERS_VAR;FATBIN_DIR_VAR"
    "ARCHITECTURES")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " unknown)
    _triton_aot_fail("triton_aot_compile_module: unknown arguments: ${unknown}")
  endif()
  foreach(required MODULE OUTPUT_DIRECTORY NAMESPACE)
    if(NOT arg_${required})
      _triton_aot_fail("triton_aot_compile_module: ${required} is required")
    endif()
  endforeach()

  cmake_path(ABSOLUTE_PATH arg_MODULE BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE OUTPUT_VARIABLE module)
  if(NOT EXISTS "${module}")
    _triton_aot_fail("kernel module '${module}' does not exist")
  endif()
  cmake_path(GET module STEM stem)
  if(NOT stem MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    _triton_aot_fail("kernel module '${module}': its name '${stem}' names the generated header and namespace, so "
                     "it must be a C++ identifier (letters, digits and '_'); rename the file.")
  endif()

  triton_aot_resolve_architectures(archs ${arg_ARCHITECTURES})
  set(python "${arg_PYTHON}")
  if(NOT python)
    _triton_aot_default_python(python)
  endif()
  _triton_aot_check_python("${python}")
  _triton_aot_find_cuda_tools()
  get_property(frontend GLOBAL PROPERTY TRITON_AOT_FRONTEND)
  _triton_aot_driver_scripts(python_files "${frontend}")
  set(source_root "${arg_SOURCE_ROOT}")
  if(NOT source_root)
    set(source_root "${CMAKE_SOURCE_DIR}")
  endif()

  set(out "${arg_OUTPUT_DIRECTORY}")
  set(header "${out}/${stem}.h")
  set(source "${out}/${stem}.cpp")
  set(arch_args "")
  foreach(arch IN LISTS archs)
    list(APPEND arch_args "--arch=${arch}")
  endforeach()
  _triton_aot_driver_options(optional_args "${arg_PTXAS}")
  set(pool_args "")
  if(arg_JOB_POOL)
    set(pool_args JOB_POOL "${arg_JOB_POOL}")
  endif()

  add_custom_command(
    OUTPUT "${header}" "${source}" "${out}/${stem}.json"
    COMMAND TritonAOT::driver compile "${module}"
            "--output-dir=${out}" "--namespace=${arg_NAMESPACE}" ${arch_args}
            "--python=${python}" "--frontend=${frontend}" "--fatbinary=${TRITON_AOT_FATBINARY}"
            "--source-root=${source_root}" "--depfile=${out}/${stem}.d"
            "--timing-log=${CMAKE_BINARY_DIR}/triton_aot_timing.jsonl" ${optional_args}
    DEPENDS "${module}" TritonAOT::driver ${python_files}
    DEPFILE "${out}/${stem}.d"
    COMMENT "Compiling Triton kernels ${stem}.py for ${archs}"
    ${pool_args}
    VERBATIM COMMAND_EXPAND_LISTS)

  if(arg_SOURCES_VAR)
    set(${arg_SOURCES_VAR} "${source}" PARENT_SCOPE)
  endif()
  if(arg_HEADERS_VAR)
    set(${arg_HEADERS_VAR} "${header}" PARENT_SCOPE)
  endif()
  if(arg_FATBIN_DIR_VAR)
    set(${arg_FATBIN_DIR_VAR} "${out}/${stem}" PARENT_SCOPE)
  endif()
endfunction()

# add_triton_kernels(<target> MODULES <file.py>...
#     [STATIC | SHARED | OBJECT]
#     [ARCHITECTURES <arch>...]   default: CMAKE_CUDA_ARCHITECTURES, else TRITON_AOT_DEFAULT_ARCHITECTURES
#     [NAMESPACE <ns>]            default: <target>
#     [PYTHON <exe>]              default: TRITON_AOT_PYTHON, else the Python3 interpreter CMake finds
#     [PTXAS <path>]              default: TRITON_AOT_PTXAS, else TRITON_PTXAS_PATH, toolkit, Triton's, PATH
#     [JOB_POOL <pool>]           Ninja job pool for the compile edges
#     [SOURCE_ROOT <dir>])        the project's files, for error locations; default CMAKE_SOURCE_DIR
#
# Creates library <target>; linking it gives #include <<target>/<module>.h>.
function(add_triton_kernels target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "STATIC;SHARED;OBJECT" "NAMESPACE;PYTHON;PTXAS;JOB_POOL;SOURCE_ROOT"
                        "MODULES;ARCHITECTURES")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " unknown)
    _triton_aot_fail("add_triton_kernels(${target}): unknown arguments: ${unknown}. The keywords are "
                     "MODULES, ARCHITECTURES, NAMESPACE, PYTHON, PTXAS, JOB_POOL, SOURCE_ROOT, STATIC, SHARED, OBJECT.")
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    _triton_aot_fail("add_triton_kernels(${target}): ${arg_KEYWORDS_MISSING_VALUES} needs a value")
  endif()
  if(NOT arg_MODULES)
    _triton_aot_fail("add_triton_kernels(${target}): MODULES lists no kernel module")
  endif()
  set(namespace "${arg_NAMESPACE}")
  if(NOT namespace)
    string(MAKE_C_IDENTIFIER "${target}" namespace)
  endif()
  if(NOT namespace MATCHES "^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$")
    _triton_aot_fail("add_triton_kernels(${target}): NAMESPACE '${namespace}' is not a C++ namespace name")
  endif()
  set(type STATIC)
  foreach(t SHARED OBJECT)
    if(arg_${t})
      set(type ${t})
    endif()
  endforeach()

  set(include_root "${CMAKE_CURRENT_BINARY_DIR}/triton_aot")
  set(out "${include_root}/${target}")
  add_library(${target} ${type})
  set(stems "")
  foreach(module IN LISTS arg_MODULES)
    if(NOT module MATCHES "\\.py$")
      _triton_aot_fail("add_triton_kernels(${target}): MODULES entry '${module}' is not a .py file. Is it a "
                       "misspelt keyword? The keywords are MODULES, ARCHITECTURES, NAMESPACE, PYTHON, PTXAS, "
                       "JOB_POOL, SOURCE_ROOT, STATIC, SHARED, OBJECT.")
    endif()
    cmake_path(GET module STEM stem)
    if(stem IN_LIST stems)
      _triton_aot_fail("add_triton_kernels(${target}): two modules are named '${stem}'; their generated headers "
                       "would collide. Rename one, or put them in two targets.")
    endif()
    list(APPEND stems "${stem}")
    set(forward "")
    foreach(keyword PYTHON PTXAS JOB_POOL SOURCE_ROOT)
      if(arg_${keyword})
        list(APPEND forward ${keyword} "${arg_${keyword}}")
      endif()
    endforeach()
    triton_aot_compile_module(MODULE "${module}" OUTPUT_DIRECTORY "${out}" NAMESPACE "${namespace}"
                              ARCHITECTURES ${arg_ARCHITECTURES} ${forward}
                              SOURCES_VAR source HEADERS_VAR header FATBIN_DIR_VAR fatbin_dir)
    if(type STREQUAL "OBJECT")
      target_sources(${target} PRIVATE "${source}" "${header}")
    else()
      # Each module's source in an object library of its own: Ninja compiles
      # it as soon as its module's edge is done. In one target, every object
      # would wait for every module (CMake orders a target's compiles after
      # all of its custom commands).
      add_library(${target}.${stem} OBJECT "${source}" "${header}")
      _triton_aot_generated_code_settings(${target}.${stem} PRIVATE "${include_root}" "${out}")
      target_sources(${target} PRIVATE "$<TARGET_OBJECTS:${target}.${stem}>" "${header}")
    endif()
    set_property(TARGET ${target} APPEND PROPERTY ADDITIONAL_CLEAN_FILES "${fatbin_dir}")
  endforeach()
  _triton_aot_generated_code_settings(${target} PUBLIC "${include_root}" "${out}")
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX)
endfunction()

# What compiling generated sources takes: the generated headers' folder, the
# runtime, C++17, and the assembler's search path for the fatbins, which the
# sources embed with .incbin by paths relative to their own folder.
function(_triton_aot_generated_code_settings target scope include_root out)
  target_include_directories(${target} ${scope} "$<BUILD_INTERFACE:${include_root}>")
  target_compile_options(${target} PRIVATE "-Wa,-I${out}")
  target_link_libraries(${target} ${scope} TritonAOT::runtime)
  target_compile_features(${target} ${scope} cxx_std_17)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
