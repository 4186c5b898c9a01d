# TRITON_AOT_SANITIZE (and TRITON_AOT_FUZZ, whose findings are sanitizer
# reports): every target of this project, the driver library and executable,
# the runtime, the tests and the examples, is compiled and linked with
# AddressSanitizer and UndefinedBehaviorSanitizer. Set on this folder, so it
# reaches every target defined here or below and nothing in a project that
# includes this one (which then needs the same flags to link the runtime).
# No report is recoverable: the program stops at the first one, so a test
# cannot pass over it.
if(TRITON_AOT_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "TRITON_AOT_FUZZ needs Clang, for libFuzzer; this build folder uses "
                      "${CMAKE_CXX_COMPILER_ID}. Configure a new build folder with CC=clang CXX=clang++.")
endif()
if(NOT TRITON_AOT_SANITIZE AND NOT TRITON_AOT_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  message(FATAL_ERROR "TRITON_AOT_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}.")
endif()
set(triton_aot_sanitize -fsanitize=address,undefined)
add_compile_options(${triton_aot_sanitize} -fno-omit-frame-pointer -fno-sanitize-recover=all)
add_link_options(${triton_aot_sanitize})

# Tests that compile programs against this project's libraries (the runtime)
# must compile and link them the same way, with the same compiler.
add_compile_definitions("TRITON_AOT_SANITIZER_CXX=\"${CMAKE_CXX_COMPILER}\""
                        "TRITON_AOT_SANITIZER_FLAGS=\"${triton_aot_sanitize}\"")
