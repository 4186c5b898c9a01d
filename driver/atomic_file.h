// Writing build outputs so that a reader never sees half a file, and an
// unchanged output keeps its mtime (Ninja's restat then skips everything
// downstream of it).
#pragma once

#include <string>
#include <string_view>

namespace triton_aot {

// Reads a regular file; anything else (a folder, a FIFO, a device) is an
// error at once, never a wait.
bool ReadFile(const std::string& path, std::string* contents, std::string* err);

// What a file of `mode` (st_mode) is, for messages: "a file", "a folder", "a
// FIFO (named pipe)", "a socket", "a device".
std::string FileTypeName(unsigned mode);

// "size mtime" of a file, or "missing": enough to notice a rebuilt or
// reinstalled tool without reading it.
std::string FileStamp(const std::string& path);

// Writes `contents` to a temporary file in the same folder, then renames it
// over `path`. On failure nothing is left behind and `path` is untouched.
// kShared: mode 0666 less the umask, as any output; kOwnerOnly: 0600.
enum class FileAccess { kShared, kOwnerOnly };
bool WriteFileAtomically(const std::string& path, std::string_view contents, std::string* err,
                         FileAccess access = FileAccess::kShared);

// As WriteFileAtomically, but does nothing when `path` already holds exactly
// `contents`. `*changed` (optional) says whether the file was written.
bool WriteFileIfChanged(const std::string& path, std::string_view contents, bool* changed, std::string* err);

// Temporary files and folders are named ".<stem>.<kind>.<pid>.XXXXXX" (a
// mkstemp/mkdtemp template), in the folder of what they become: hidden from
// globs, unique among concurrent writers, and traceable to their writer.
std::string TemporaryTemplate(const std::string& dir, const std::string& stem, const std::string& kind);

// Removes temporaries in `dir` whose names start with ".<stem_prefix>" and
// whose writer is no longer running: what a killed build left behind. Those
// of live processes (a concurrent build) are left alone.
void RemoveAbandonedTemporaries(const std::string& dir, const std::string& stem_prefix);

// What to do about a failed write, from its errno: "; the disk is full: ..."
// (empty when there is no better advice than the error itself).
std::string AdviceForWriteError(int errnum);

}  // namespace triton_aot
