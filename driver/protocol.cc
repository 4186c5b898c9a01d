#include "protocol.h"

#include <fmt/format.h>

#include <set>

#include "utf8.h"

namespace triton_aot {
namespace {

using nlohmann::json;

bool Convert(const json& v, std::string* out) { return v.is_string() && (*out = v.get<std::string>(), true); }
bool Convert(const json& v, bool* out) { return v.is_boolean() && (*out = v.get<bool>(), true); }
bool Convert(const json& v, int* out) { return v.is_number_integer() && (*out = v.get<int>(), true); }
bool Convert(const json& v, int64_t* out) { return v.is_number_integer() && (*out = v.get<int64_t>(), true); }
bool Convert(const json& v, json* out) { return (*out = v, true); }
bool Convert(const json& v, nlohmann::ordered_json* out) { return v.is_object() && (*out = v, true); }
template <typename T>
bool Convert(const json& v, std::vector<T>* out) {
  if (!v.is_array()) return false;
  out->clear();
  for (const json& item : v) {
    if (!Convert(item, &out->emplace_back())) return false;
  }
  return true;
}
bool Convert(const json& v, std::map<std::string, std::string>* out) {
  if (!v.is_object()) return false;
  for (const auto& [key, value] : v.items()) {
    if (!Convert(value, &(*out)[key])) return false;
  }
  return true;
}

const char* Expected(std::string*) { return "a string"; }
const char* Expected(bool*) { return "true or false"; }
const char* Expected(int*) { return "an integer"; }
const char* Expected(int64_t*) { return "an integer"; }
const char* Expected(json*) { return "a value"; }
const char* Expected(nlohmann::ordered_json*) { return "an object"; }
const char* Expected(std::vector<std::string>*) { return "a list of strings"; }
const char* Expected(std::vector<int>*) { return "a list of integers"; }
const char* Expected(std::map<std::string, std::string>*) { return "an object of strings"; }

// Reads the fields of one JSON object of a message. The first problem is
// kept, naming the message and the field's path in it; later reads are
// skipped, so that a parse reads as a list of fields.
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

bool ParseKernelParam(const Fields& parent, const std::string& path, const json& object, KernelParam* param) {
  Fields f = parent.Nested(path, object);
  return f.Get("name", &param->name).Get("constexpr", &param->is_constexpr).Get("default", &param->default_value).Done();
}

bool ParseAutotuneConfig(const Fields& parent, const std::string& path, const json& object, AutotuneConfig* config) {
  Fields f = parent.Nested(path, object);
  f.Get("kwargs", &config->kwargs).Get("num_warps", &config->num_warps).Get("num_stages", &config->num_stages);
  f.Get("num_ctas", &config->num_ctas).Optional("maxnreg", &config->maxnreg);
  if (f.ok() && !config->kwargs.is_object()) f.Fail("must be an object", "kwargs");
  return f.Done();
}

bool ParseAutotune(const Fields& parent, const std::string& path, const json& object, Autotune* autotune) {
  Fields f = parent.Nested(path, object);
  json configs;
  f.Get("key", &autotune->key).Get("configs", &configs);
  if (f.ok() && !configs.is_array()) f.Fail("must be a list", "configs");
  for (size_t i = 0; f.ok() && i < configs.size(); ++i) {
    const std::string item = fmt::format("configs[{}]", i);
    if (!ParseAutotuneConfig(f, item, configs[i], &autotune->configs.emplace_back())) f.Include(false);
  }
  return f.Done();
}

bool ParseKernelDescription(const Fields& parent, const std::string& path, const json& object,
                            KernelDescription* kernel) {
  Fields f = parent.Nested(path, object);
  json params, autotune;
  f.Get("params", &params).Get("line", &kernel->line).Optional("autotune", &autotune);
  f.Optional("unsupported", &kernel->unsupported);
  if (f.ok() && !params.is_array()) f.Fail("must be a list", "params");
  for (size_t i = 0; f.ok() && i < params.size(); ++i) {
    if (!ParseKernelParam(f, fmt::format("params[{}]", i), params[i], &kernel->params.emplace_back())) f.Include(false);
  }
  if (f.ok() && !autotune.is_null() && !ParseAutotune(f, "autotune", autotune, &kernel->autotune.emplace())) {
    f.Include(false);
  }
  return f.Done();
}

// spec_lines stays JSON (spec.cc reads it with the spec), but of this shape.
bool CheckSpecLines(const Fields& parent, const json& lines) {
  if (lines.is_null()) return true;
  Fields f = parent.Nested("spec_lines", lines);
  int line = 0;
  json entries;
  f.Get("line", &line).Get("entries", &entries);
  if (f.ok() && !entries.is_array()) f.Fail("must be a list", "entries");
  for (size_t i = 0; f.ok() && i < entries.size(); ++i) {
    std::vector<int> variants;
    Fields entry = f.Nested(fmt::format("entries[{}]", i), entries[i]);
    if (!entry.Get("line", &line).Get("variants", &variants).Done()) f.Include(false);
  }
  return f.Done();
}

}  // namespace

json FrontendErrorToJson(const FrontendError& error) {
  json object = {{"kind", error.kind},
                 {"message", error.message},
                 {"file", error.file.empty() ? json() : json(error.file)},
                 {"line", error.line},
                 {"col", error.col}};
  if (error.error_number) object["errno"] = *error.error_number;
  return object;
}

bool ParseFrontendError(const json& object, const std::string& what, FrontendError* error, std::string* err) {
  Fields f(object, what, "error", err);
  f.Get("kind", &error->kind).Get("message", &error->message).Optional("file", &error->file);
  return f.Get("line", &error->line).Get("col", &error->col).Optional("errno", &error->error_number).Done();
}

bool ParseMessage(const std::string& line, const std::string& what, json* message, std::string* err) {
  *message = json::parse(line, nullptr, false);
  if (message->is_object()) return true;
  *err = fmt::format("{} is not a JSON object: {}", what, line.substr(0, 200));
  return false;
}

AnswerKind ReadAnswerKind(const json& message, const std::string& what, FrontendError* error, std::string* err) {
  bool ok = false;
  Fields f(message, what, "", err);
  if (!f.Get("ok", &ok).ok()) return AnswerKind::kMalformed;
  if (ok) return AnswerKind::kOk;
  json object;
  if (!f.Get("error", &object).Done()) return AnswerKind::kMalformed;
  return ParseFrontendError(object, what, error, err) ? AnswerKind::kFailed : AnswerKind::kMalformed;
}

json LoadAnswer::ToJson() const {
  json kernels_json = json::object();
  for (const auto& [name, kernel] : kernels) {
    json params = json::array();
    for (const KernelParam& p : kernel.params) {
      params.push_back({{"name", p.name}, {"constexpr", p.is_constexpr}, {"default", p.default_value}});
    }
    json& k = kernels_json[name] = {{"params", params}, {"line", kernel.line}};
    if (!kernel.unsupported.empty()) k["unsupported"] = kernel.unsupported;
    if (!kernel.autotune) continue;
    json configs = json::array();
    for (const AutotuneConfig& c : kernel.autotune->configs) {
      configs.push_back({{"kwargs", c.kwargs},
                         {"num_warps", c.num_warps},
                         {"num_stages", c.num_stages},
                         {"num_ctas", c.num_ctas},
                         {"maxnreg", c.maxnreg ? json(*c.maxnreg) : json()}});
    }
    k["autotune"] = {{"key", kernel.autotune->key}, {"configs", configs}};
  }
  return {{"ok", true},          {"has_spec", has_spec},     {"spec", spec},
          {"spec_lines", spec_lines}, {"kernels", kernels_json}, {"imports", imports},
          {"triton_version", triton_version}, {"triton_file", triton_file}, {"triton_key", triton_key},
          {"triton_files", triton_files}};
}

bool ParseLoadAnswer(const json& message, LoadAnswer* answer, std::string* err) {
  *answer = LoadAnswer();
  Fields f(message, "load answer", "", err);
  json kernels;
  f.Is("ok", true).Get("has_spec", &answer->has_spec).Get("spec", &answer->spec);
  f.Get("spec_lines", &answer->spec_lines).Get("kernels", &kernels).Get("imports", &answer->imports);
  f.Get("triton_version", &answer->triton_version).Get("triton_file", &answer->triton_file);
  f.Get("triton_key", &answer->triton_key).Get("triton_files", &answer->triton_files);
  if (f.ok() && !CheckSpecLines(f, answer->spec_lines)) f.Include(false);
  if (f.ok() && !kernels.is_object()) f.Fail("must be an object", "kernels");
  for (auto it = kernels.begin(); f.ok() && it != kernels.end(); ++it) {
    if (!ParseKernelDescription(f, "kernels." + it.key(), it.value(), &answer->kernels[it.key()])) f.Include(false);
  }
  return f.Done();
}

std::string LoadRequestLine(const LoadRequest& request) {
  return json{{"op", "load"}, {"module", request.module}, {"source_root", request.source_root}}.dump();
}

bool ParseLoadRequest(const json& message, LoadRequest* request, std::string* err) {
  Fields f(message, "load request", "", err);
  return f.Is("op", "load").Get("module", &request->module).Get("source_root", &request->source_root).Done();
}

std::string CompileRequestLine(const std::vector<CompileJob>& jobs) {
  json request = {{"op", "compile"}, {"jobs", json::array()}};
  for (const CompileJob& job : jobs) {
    request["jobs"].push_back({{"id", job.id},
                               {"kernel", job.function},
                               {"signature", job.signature},
                               {"constexprs", job.constexprs},
                               {"divisible_by_16", job.divisible_by_16},
                               {"options", job.options},
                               {"arch", job.arch},
                               {"ptxas", job.ptxas},
                               {"out_prefix", job.out_prefix}});
  }
  return request.dump();
}

bool ParseCompileRequest(const json& message, std::vector<CompileJob>* jobs, std::string* err) {
  Fields f(message, "compile request", "", err);
  json list;
  f.Is("op", "compile").Get("jobs", &list);
  if (f.ok() && !list.is_array()) f.Fail("must be a list", "jobs");
  jobs->clear();
  for (size_t i = 0; f.ok() && i < list.size(); ++i) {
    CompileJob& job = jobs->emplace_back();
    Fields j = f.Nested(fmt::format("jobs[{}]", i), list[i]);
    j.Get("id", &job.id).Get("kernel", &job.function).Get("signature", &job.signature);
    j.Get("constexprs", &job.constexprs).Get("divisible_by_16", &job.divisible_by_16).Get("options", &job.options);
    j.Get("arch", &job.arch).Get("ptxas", &job.ptxas).Get("out_prefix", &job.out_prefix);
    f.Include(j.Done());
  }
  return f.Done();
}

json CompileOutcomeToJson(const CompileOutcome& outcome) {
  json result = {{"id", outcome.id}, {"ok", outcome.ok}, {"start_us", outcome.start_us},
                 {"elapsed_us", outcome.elapsed_us}};
  if (outcome.ok) {
    result["metadata"] = outcome.metadata;
    return result;
  }
  result["error"] = outcome.error;
  if (!outcome.error_file.empty()) {
    result["where"] = {{"file", outcome.error_file}, {"line", outcome.error_line}, {"col", outcome.error_col}};
  }
  return result;
}

bool ParseCompileAnswer(const json& message, std::vector<CompileOutcome>* outcomes, std::string* err) {
  Fields f(message, "compile answer", "", err);
  json results;
  f.Is("ok", true).Get("results", &results);
  if (f.ok() && !results.is_array()) f.Fail("must be a list", "results");
  outcomes->clear();
  for (size_t i = 0; f.ok() && i < results.size(); ++i) {
    CompileOutcome& outcome = outcomes->emplace_back();
    Fields r = f.Nested(fmt::format("results[{}]", i), results[i]);
    r.Get("id", &outcome.id).Get("ok", &outcome.ok).Get("start_us", &outcome.start_us);
    r.Get("elapsed_us", &outcome.elapsed_us);
    json where;
    if (outcome.ok) {
      r.Get("metadata", &outcome.metadata);
      if (r.ok() && !outcome.metadata.is_object()) r.Fail("must be an object", "metadata");
    } else {
      r.Get("error", &outcome.error).Optional("where", &where);
    }
    if (r.ok() && !where.is_null()) {
      Fields w = r.Nested("where", where);
      r.Include(w.Get("file", &outcome.error_file).Get("line", &outcome.error_line).Get("col", &outcome.error_col).Done());
    }
    f.Include(r.Done());
  }
  return f.Done();
}

// Written by hand: the folder, the environment and the stderr path are bytes,
// which the worker must get exactly, UTF-8 or not (JsonStringOfBytes).
std::string GreetingLine(const ServiceGreeting& greeting) {
  std::string env;
  for (const auto& [name, value] : greeting.env) {
    env += fmt::format("{}{}:{}", env.empty() ? "" : ",", JsonStringOfBytes(name), JsonStringOfBytes(value));
  }
  return fmt::format(R"({{"op":"hello","protocol":{},"identity":{},"cwd":{},"env":{{{}}},"stderr":{}}})",
                     greeting.protocol, JsonStringOfBytes(greeting.identity), JsonStringOfBytes(greeting.cwd), env,
                     JsonStringOfBytes(greeting.stderr_path));
}

bool ParseGreeting(const json& message, ServiceGreeting* greeting, std::string* err) {
  Fields f(message, "service greeting", "", err);
  f.Is("op", "hello").Get("protocol", &greeting->protocol).Get("identity", &greeting->identity);
  return f.Get("cwd", &greeting->cwd).Get("env", &greeting->env).Get("stderr", &greeting->stderr_path).Done();
}

json GreetingAnswerToJson(const GreetingAnswer& answer) {
  if (answer.served) return {{"ok", true}, {"pid", answer.worker_pid}, {"protocol", answer.protocol}};
  return {{"ok", false}, {"stale", answer.stale}, {"service_pid", answer.service_pid}};
}

bool ParseGreetingAnswer(const json& message, GreetingAnswer* answer, std::string* err) {
  Fields f(message, "service greeting answer", "", err);
  f.Get("ok", &answer->served);
  if (!f.ok()) return false;
  if (!answer->served) return f.Get("stale", &answer->stale).Get("service_pid", &answer->service_pid).Done();
  if (!f.Get("pid", &answer->worker_pid).Get("protocol", &answer->protocol).Done()) return false;
  if (answer->protocol == kProtocolVersion) return true;
  *err = fmt::format("service greeting answer: the service speaks protocol version {}, this driver {}",
                     answer->protocol, kProtocolVersion);
  return false;
}

json WorkerEndedToJson(const WorkerEnded& ended) { return {{"ok", false}, {"worker_ended", ended.how}}; }

bool IsWorkerEnded(const json& message, WorkerEnded* ended) {
  std::string ignored;
  Fields f(message, "worker ended", "", &ignored);
  return message.is_object() && message.contains("worker_ended") &&
         f.Is("ok", false).Get("worker_ended", &ended->how).Done();
}

std::string ServiceRequestLine(const std::string& op) { return json{{"op", op}}.dump(); }

bool ParseServiceAnswer(const json& message, const std::string& what, ServiceAnswer* answer, std::string* err) {
  Fields f(message, what, "", err);
  return f.Is("ok", true).Get("service_pid", &answer->service_pid).Done();
}

}  // namespace triton_aot
