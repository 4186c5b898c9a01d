// A private folder next to the edge's outputs for its intermediate files,
// removed on every exit path.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "atomic_file.h"

namespace triton_aot {

class ScratchDir {
 public:
  ScratchDir() = default;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }

  bool Create(const std::string& parent, const std::string& stem, std::string* err) {
    std::string templ = TemporaryTemplate(parent, stem, "scratch");
    if (!::mkdtemp(templ.data())) {
      const int errnum = errno;
      *err = fmt::format("cannot create a scratch folder in the output folder '{}': {}{}", parent,
                         std::strerror(errnum), AdviceForWriteError(errnum));
      return false;
    }
    path_ = templ;
    return true;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace triton_aot
