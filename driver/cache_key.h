// What the artifact cache's keys are made of, decided in this one place.
//
// Every input that changes what loading a module or compiling a variant
// gives is one named part of a key. The parts are listed, not just hashed,
// so that tests can walk them: cache_key_test.cc has a row for every part
// (a part without a row fails it), and tests/integration/key_change_test.cc
// changes each input in a real build.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "environment.h"
#include "frontend.h"
#include "ptxas.h"
#include "version.h"

namespace triton_aot {

struct KeyPart {
  std::string name;
  std::string value;
};
using KeyParts = std::vector<KeyPart>;

// 64 hex digits: SHA-256 over the parts, each framed by its name.
std::string KeyDigest(const KeyParts& parts);

// Whether an environment variable can change what Triton makes of a kernel:
// Triton's own TRITON_* settings (but not those that only say where files go,
// nor TritonAOT's own TRITON_AOT_*), and the compiler settings Triton keys its
// cache on that carry other names (DISABLE_PTXAS_OPT, MLIR_*, LLVM_*, ...).
bool IsTritonSetting(std::string_view name);

// The settings of `environment`, as "NAME=value", sorted.
std::vector<std::string> TritonSettings(const Environment& environment);

// A file a key is made of: its path and the SHA-256 of its bytes.
struct KeyedFile {
  std::string path;
  std::string sha256;
};

// What every compile of one module shares.
struct ModuleKeyInputs {
  std::string driver_version = kVersion;
  std::string frontend_sha256;  // the frontend that drives Triton (FrontendDigest)
  KeyedFile module;
  std::vector<KeyedFile> imports;  // the files the module imported that no installed distribution owns
  std::vector<std::string> distributions;  // the installed ones it imported from: "name version"
  std::string triton_version;
  // Triton's own identity of its compiler: its version and the hashes of its
  // compiler's sources and native library (triton.runtime.cache.triton_key).
  std::string triton_key;
  // Every Python source and bitcode library of the Triton package, by path
  // relative to the package.
  std::vector<KeyedFile> triton_sources;
  std::vector<std::string> settings;  // TritonSettings()
};
KeyParts ModuleKeyParts(const ModuleKeyInputs& inputs);

// One compile: the module's key and what the job asks Triton and ptxas for.
// `ptxas_stamp` is FileStamp(ptxas.path): a rebuilt ptxas of the same version
// misses too.
KeyParts JobKeyParts(const std::string& module_key, const CompileJob& job, const PtxasInfo& ptxas,
                     const std::string& ptxas_stamp);

// What loading a module answers depends on the module, the Python, Triton and
// tools it ran with (`frontend_identity`, see ServiceIdentity) and Triton's
// settings. The files it imports are known only after a load: a remembered
// answer lists them, and they are checked before it is used
// (remembered_load.h).
struct LoadKeyInputs {
  std::string driver_version = kVersion;
  std::string frontend_identity;
  KeyedFile module;
  std::string source_root;
  std::vector<std::string> settings;  // TritonSettings()
  int target_arch = 0;                // what Triton's driver answered as (LoadRequest)
};
KeyParts LoadKeyParts(const LoadKeyInputs& inputs);

}  // namespace triton_aot
