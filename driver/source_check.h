// Whether the sources an edge compiled are still the ones on disk. A module
// or a file it imports that is edited while its edge runs must not leave the
// outputs of one version standing for another: the edge compiles it again.
#pragma once

#include <string>

#include "protocol.h"

namespace triton_aot {

// The first of the module and the files it imported whose bytes on disk are
// not those the load answer `compiled` says were compiled (or that cannot be
// read now); empty if none.
std::string ChangedOnDisk(const std::string& module_path, const LoadAnswer& compiled);

// The SHA-256 of the file's bytes now; empty when it cannot be read.
std::string FileSha256(const std::string& path);

// The first of the module and its imports that two loads of it saw with
// different bytes (or that only one of them imported); empty if none.
std::string ChangedBetween(const std::string& module_path, const LoadAnswer& before, const LoadAnswer& after);

// Returns once a file written now beside `written` (a temporary of `stem`)
// gets a later modification time than `written` has. File times come from a
// coarse clock (a few ms): an edit in the same tick as an output would look
// no newer than it to Ninja. Gives up after a second of a clock that does not
// move.
void WaitForFileClockToPass(const std::string& written, const std::string& stem);

}  // namespace triton_aot
