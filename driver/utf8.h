// Bytes that are not UTF-8: paths and environment variables are bytes, but
// what the driver and Python send each other is JSON, which is UTF-8 text.
// What Python only passes on (the environment, the working folder) travels
// exactly, as Python itself holds such bytes (PEP 383); what becomes text
// (module paths, which Triton writes into its outputs) must be UTF-8, or one
// message says which path and which byte; and what the driver prints shows
// every byte that is not UTF-8 escaped, as \xe9.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace triton_aot {

// The offset of the first byte of `text` that is not part of a valid UTF-8
// character (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF); nullopt when all of it is valid.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

// `text` with each byte that is not part of valid UTF-8 written as \xNN.
std::string EscapeInvalidUtf8(std::string_view text);

// Empty when `path` is valid UTF-8; else the message for `what` (the option
// that gave the path): "--output-dir: the path '/a/caf\xe9' is not valid
// UTF-8 (byte 0xe9 at offset 3); ...: rename 'caf\xe9'".
std::string NonUtf8PathProblem(std::string_view what, std::string_view path);

// `bytes` as a JSON string, quotes included, that Python's json module reads
// back as the str os.fsdecode() would give: valid UTF-8 as it is, any other
// byte NN as the lone surrogate \udcNN, which os.environ, os.chdir and open()
// turn back into exactly that byte.
std::string JsonStringOfBytes(std::string_view bytes);

}  // namespace triton_aot
