// Variant families: one spec variant with "for_each" that stands for several,
// one per value of a constexpr (or per combination), each typically guarded
// by the sizes it serves ("n_cols <= BLOCK"). They replace the buckets that
// Python launchers compute with triton.next_power_of_2.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec_fields.h"

namespace triton_aot {

// The variants `spec_variant` stands for, in order: itself when it has no
// "for_each"; else one per member, named "<name>_<value>[_<value>...]" (the
// constexprs' names stand in for a missing name), with the member's
// constexprs and launch options merged in. `for_each` is either a dict from
// constexpr names to lists of values (every combination, in the order of the
// kernel's `params`, the last varying fastest) or a list of dicts, each one
// member's constexprs and launch options.
bool FamilyMembers(const nlohmann::json& spec_variant, const std::vector<Param>& params, const std::string& what,
                   int line, std::vector<nlohmann::json>* members, Checker& checker);

}  // namespace triton_aot
