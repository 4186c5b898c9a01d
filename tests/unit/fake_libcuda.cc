// A stand-in for the CUDA driver, libcuda.so.1, for CheckGpu's tests: cuInit
// returns the CUresult in $FAKE_CUDA_INIT (0 if unset), and no other entry
// point can be found.
#include <cuda.h>

#include <cstdlib>

extern "C" {

CUresult cuInit(unsigned int) {
  const char* result = std::getenv("FAKE_CUDA_INIT");
  return static_cast<CUresult>(result ? std::atoi(result) : 0);
}

CUresult cuGetProcAddress_v2(const char*, void** function, int, cuuint64_t, CUdriverProcAddressQueryResult* found) {
  *function = nullptr;
  if (found) *found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  return CUDA_ERROR_NOT_FOUND;
}

}  // extern "C"
