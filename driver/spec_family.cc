#include "spec_family.h"

#include <algorithm>

#include <fmt/format.h>

namespace triton_aot {
namespace {

using nlohmann::json;

// A member's value as part of a C++ name: 256, true, fp16; minus as "m".
bool NamePart(const json& value, std::string* part) {
  if (value.is_boolean()) {
    *part = value.get<bool>() ? "true" : "false";
  } else if (value.is_number_integer()) {
    const std::string digits = value.dump();
    *part = digits[0] == '-' ? "m" + digits.substr(1) : digits;
  } else if (value.is_string() && IsIdentifier(value.get<std::string>())) {
    *part = value.get<std::string>();
  } else {
    return false;
  }
  return true;
}

// The dict form's names in the order of the kernel's parameters (a name
// that is none goes last, for its own check to find).
std::vector<std::string> InParameterOrder(const json& lists, const std::vector<Param>& params) {
  std::vector<std::string> names;
  for (const Param& p : params) {
    if (lists.contains(p.name)) names.push_back(p.name);
  }
  for (const auto& [name, values] : lists.items()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

// Every combination of the dict form's lists, as the list form's dicts.
bool Combinations(const json& lists, const std::vector<Param>& params, const std::string& what, int line,
                  json* members, Checker& checker) {
  *members = json::array({json::object()});
  for (const std::string& name : InParameterOrder(lists, params)) {
    const json& values = lists[name];
    if (!values.is_array() || values.empty()) {
      return checker.Fail(line, fmt::format("{}: for_each['{}'] must be a non-empty list of values, not {}", what,
                                            name, values.dump()));
    }
    json next = json::array();
    for (const json& member : *members) {
      for (const json& value : values) {
        json extended = member;
        extended[name] = value;
        next.push_back(std::move(extended));
      }
    }
    *members = std::move(next);
  }
  return true;
}

// `spec_variant` with one member's values merged in and its name extended.
bool Member(const json& spec_variant, const json& values, const std::string& what, int line, json* member,
            Checker& checker) {
  *member = spec_variant;
  member->erase("for_each");
  if (!member->contains("constexprs")) (*member)["constexprs"] = json::object();
  if (!(*member)["constexprs"].is_object()) return true;  // the variant's own check says what is wrong
  std::string name = spec_variant.value("name", "");
  for (const auto& [key, value] : values.items()) {
    const bool option = kLaunchOptions.count(key) != 0;
    json& target = option ? *member : (*member)["constexprs"];
    if (target.contains(key)) {
      return checker.Fail(line, fmt::format("{}: '{}' is set both by the variant and by its for_each", what, key));
    }
    target[key] = value;
    if (option) continue;
    std::string part;
    if (!NamePart(value, &part)) {
      return checker.Fail(line, fmt::format("{}: for_each value {} of '{}' must be an int, a bool or an "
                                            "identifier-like string, so that it can name its variant",
                                            what, value.dump(), key));
    }
    name += (name.empty() ? key + "_" : "_") + part;
  }
  if (name.empty()) {
    return checker.Fail(line, fmt::format("{}: a for_each member that sets no constexpr needs the variant's name",
                                          what));
  }
  (*member)["name"] = name;
  return true;
}

}  // namespace

bool FamilyMembers(const json& spec_variant, const std::vector<Param>& params, const std::string& what, int line,
                   std::vector<json>* members, Checker& checker) {
  members->clear();
  if (!spec_variant.is_object() || !spec_variant.contains("for_each")) {
    members->push_back(spec_variant);
    return true;
  }
  const json& for_each = spec_variant["for_each"];
  json all;
  if (for_each.is_object() && !for_each.empty()) {
    if (!Combinations(for_each, params, what, line, &all, checker)) return false;
  } else if (for_each.is_array() && !for_each.empty()) {
    all = for_each;
  } else {
    return checker.Fail(line, fmt::format("{}: for_each must be a dict from constexpr names to lists of values "
                                          "({{\"BLOCK\": [256, 1024]}}) or a non-empty list of dicts, not {}",
                                          what, for_each.dump()));
  }
  for (const json& values : all) {
    if (!values.is_object() || values.empty()) {
      return checker.Fail(line, fmt::format("{}: each for_each member must be a non-empty dict of constexprs and "
                                            "launch options, not {}",
                                            what, values.dump()));
    }
    json member;
    if (!Member(spec_variant, values, what, line, &member, checker)) return false;
    members->push_back(std::move(member));
  }
  return true;
}

}  // namespace triton_aot
