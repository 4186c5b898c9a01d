// Reading one JSON object of a protocol message field by field: the first
// problem is kept, naming the message and the field's path in it
// ("load answer: 'kernels.k.params[0].name' is missing").
#pragma once

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace triton_aot::protocol_fields {

using nlohmann::json;

inline bool Convert(const json& v, std::string* out) { return v.is_string() && (*out = v.get<std::string>(), true); }
inline bool Convert(const json& v, bool* out) { return v.is_boolean() && (*out = v.get<bool>(), true); }
inline bool Convert(const json& v, int* out) { return v.is_number_integer() && (*out = v.get<int>(), true); }
inline bool Convert(const json& v, int64_t* out) { return v.is_number_integer() && (*out = v.get<int64_t>(), true); }
inline bool Convert(const json& v, json* out) { return (*out = v, true); }
inline bool Convert(const json& v, nlohmann::ordered_json* out) { return v.is_object() && (*out = v, true); }
template <typename T>
bool Convert(const json& v, std::vector<T>* out) {
  if (!v.is_array()) return false;
  out->clear();
  for (const json& item : v) {
    if (!Convert(item, &out->emplace_back())) return false;
  }
  return true;
}
inline bool Convert(const json& v, std::map<std::string, std::string>* out) {
  if (!v.is_object()) return false;
  for (const auto& [key, value] : v.items()) {
    if (!Convert(value, &(*out)[key])) return false;
  }
  return true;
}

inline const char* Expected(std::string*) { return "a string"; }
inline const char* Expected(bool*) { return "true or false"; }
inline const char* Expected(int*) { return "an integer"; }
inline const char* Expected(int64_t*) { return "an integer"; }
inline const char* Expected(json*) { return "a value"; }
inline const char* Expected(nlohmann::ordered_json*) { return "an object"; }
inline const char* Expected(std::vector<std::string>*) { return "a list of strings"; }
inline const char* Expected(std::vector<int>*) { return "a list of integers"; }
inline const char* Expected(std::map<std::string, std::string>*) { return "an object of strings"; }

// The fields of one JSON object of a message. After the first problem later
// reads are skipped, so that a parse reads as a list of fields.
class Fields {
 public:
  Fields(const json& object, std::string message, std::string path, std::string* err)
      : object_(object), message_(std::move(message)), path_(std::move(path)), err_(err) {
    if (!object_.is_object()) Fail(path_.empty() ? "is not a JSON object" : "must be an object", "");
  }
  bool ok() const { return ok_; }

  template <typename T>
  Fields& Get(const char* key, T* out) {
    if (!ok_) return *this;
    seen_.insert(key);
    if (!object_.contains(key)) return Fail("is missing", key);
    if (!Convert(object_[key], out)) return Fail(fmt::format("must be {}", Expected(out)), key);
    return *this;
  }
  // A field that may be absent or null; `*out` keeps its value then.
  template <typename T>
  Fields& Optional(const char* key, T* out) {
    if (!ok_) return *this;
    seen_.insert(key);
    if (!object_.contains(key) || object_[key].is_null()) return *this;
    return Get(key, out);
  }
  template <typename T>
  Fields& Optional(const char* key, std::optional<T>* out) {
    if (!ok_) return *this;
    seen_.insert(key);
    if (!object_.contains(key) || object_[key].is_null()) return *this;
    return Get(key, &out->emplace());
  }
  // A field that must hold `value` ("op": "load").
  Fields& Is(const char* key, const json& value) {
    json found;
    if (Get(key, &found).ok_ && found != value) Fail(fmt::format("must be {}", value.dump()), key);
    return *this;
  }
  // Nested objects are read through a Fields of their own.
  Fields Nested(const std::string& key, const json& object) const { return Fields(object, message_, Path(key), err_); }
  // A nested object's parse: its error, if any, is the message's.
  Fields& Include(bool nested_ok) {
    ok_ = ok_ && nested_ok;
    return *this;
  }
  // After every field was read: any other is an error.
  bool Done() {
    if (!ok_) return false;
    for (const auto& [key, value] : object_.items()) {
      if (seen_.count(key) == 0) return Fail("is not a field of this message", key).ok_;
    }
    return true;
  }
  Fields& Fail(const std::string& problem, const std::string& key) {
    const std::string path = Path(key);
    if (ok_) *err_ = path.empty() ? fmt::format("{} {}", message_, problem)
                                  : fmt::format("{}: '{}' {}", message_, path, problem);
    ok_ = false;
    return *this;
  }

 private:
  std::string Path(const std::string& key) const {
    if (key.empty()) return path_;
    return path_.empty() ? key : key.front() == '[' ? path_ + key : path_ + "." + key;
  }

  const json& object_;
  std::string message_, path_;
  std::string* err_;
  std::set<std::string> seen_;
  bool ok_ = true;
};

}  // namespace triton_aot::protocol_fields
