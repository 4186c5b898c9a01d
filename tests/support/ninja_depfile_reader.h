// How Ninja reads a depfile: an independent model of its parser
// (src/depfile_parser.in.cc, the rules of Ninja 1.11, the oldest release the
// project supports), to check the driver's depfile writer against the reader
// that matters. It returns the paths before Ninja canonicalises them
// ("a/./b" -> "a/b"), which is a separate step from unescaping.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace triton_aot::testing {

struct NinjaDepfile {
  std::vector<std::string> outputs;  // in order, each once
  std::vector<std::string> inputs;   // in order, each once
};

// Whether Ninja takes `c` as part of a path without any escape.
bool IsNinjaPlain(char c);

// False, with Ninja's message, where Ninja would reject the file.
bool ReadNinjaDepfile(std::string_view content, NinjaDepfile* depfile, std::string* err);

}  // namespace triton_aot::testing
