// The paths an edge is given, checked before anything starts: what reaches
// Python as text must be UTF-8, what the edge reads must be a file, and where
// it writes must not be a folder or a FIFO. Each problem is one message that
// names the option and says what to do; "" means the path is fine.
#pragma once

#include <string>
#include <string_view>

#include "compile_module.h"

namespace triton_aot {

// A file the edge reads (`what` is the option or argument that named it): it
// must exist and be a regular file. A FIFO would make the edge wait forever.
std::string InputFileProblem(std::string_view what, const std::string& path);

// A file the edge writes: absent, or a regular file (with `device_ok`, also a
// device such as /dev/null). A folder cannot be replaced by it, and writing
// into a FIFO would wait for a reader.
std::string OutputFileProblem(std::string_view what, const std::string& path, bool device_ok = false);

// Everything of `options` above that the edge can check from its options
// alone; `module_path` is the module's absolute path.
std::string EdgePathsProblem(const CompileModuleOptions& options, const std::string& module_path);

// The outputs under their final names in `output_dir` (<module>.h, .cpp,
// .json: files; <module>: a folder), so that no write can fail half-way
// through because something else stands where an output goes.
std::string OutputNamesProblem(const std::string& output_dir, const std::string& module_name);

}  // namespace triton_aot
