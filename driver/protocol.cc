#include "protocol.h"

#include <fmt/format.h>

#include "protocol_fields.h"

#include "utf8.h"

namespace triton_aot {
namespace {

using nlohmann::json;
using protocol_fields::Fields;

bool ParseKernelParam(const Fields& parent, const std::string& path, const json& object, KernelParam* param) {
  Fields f = parent.Nested(path, object);
  return f.Get("name", &param->name).Get("constexpr", &param->is_constexpr).Get("default", &param->default_value).Done();
}

bool ParseAutotuneConfig(const Fields& parent, const std::string& path, const json& object, AutotuneConfig* config) {
  Fields f = parent.Nested(path, object);
  f.Get("kwargs", &config->kwargs).Get("num_warps", &config->num_warps).Get("num_stages", &config->num_stages);
  f.Get("num_ctas", &config->num_ctas).Optional("maxnreg", &config->maxnreg).Get("pre_hook", &config->pre_hook);
  if (f.ok() && !config->kwargs.is_object()) f.Fail("must be an object", "kwargs");
  return f.Done();
}

bool ParseAutotune(const Fields& parent, const std::string& path, const json& object, Autotune* autotune) {
  Fields f = parent.Nested(path, object);
  json configs;
  f.Get("key", &autotune->key).Get("configs", &configs).Get("reset_to_zero", &autotune->reset_to_zero);
  f.Get("restore_value", &autotune->restore_value).Get("pre_hook", &autotune->pre_hook);
  f.Get("post_hook", &autotune->post_hook).Get("early_config_prune", &autotune->early_config_prune);
  f.Get("perf_model", &autotune->perf_model);
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
  f.Optional("heuristics", &kernel->heuristics);
  if (f.ok() && !params.is_array()) f.Fail("must be a list", "params");
  for (size_t i = 0; f.ok() && i < params.size(); ++i) {
    if (!ParseKernelParam(f, fmt::format("params[{}]", i), params[i], &kernel->params.emplace_back())) f.Include(false);
  }
  if (f.ok() && !autotune.is_null() && !ParseAutotune(f, "autotune", autotune, &kernel->autotune.emplace())) {
    f.Include(false);
  }
  return f.Done();
}

bool ParseImportedFile(const Fields& parent, const std::string& path, const json& object, ImportedFile* file) {
  Fields f = parent.Nested(path, object);
  return f.Get("path", &file->path).Get("sha256", &file->sha256).Done();
}

bool ParseDistribution(const Fields& parent, const std::string& path, const json& object,
                       ImportedDistribution* distribution) {
  Fields f = parent.Nested(path, object);
  f.Get("name", &distribution->name).Get("version", &distribution->version);
  return f.Get("metadata", &distribution->metadata).Done();
}

// The lists of objects of a load answer, each item parsed by `parse`.
template <typename T, typename Parse>
void ParseList(Fields& f, const char* key, const json& list, std::vector<T>* items, Parse parse) {
  if (f.ok() && !list.is_array()) f.Fail("must be a list", key);
  for (size_t i = 0; f.ok() && i < list.size(); ++i) {
    if (!parse(f, fmt::format("{}[{}]", key, i), list[i], &items->emplace_back())) f.Include(false);
  }
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
    if (!kernel.heuristics.empty()) k["heuristics"] = kernel.heuristics;
    if (!kernel.autotune) continue;
    json configs = json::array();
    for (const AutotuneConfig& c : kernel.autotune->configs) {
      configs.push_back({{"kwargs", c.kwargs},
                         {"num_warps", c.num_warps},
                         {"num_stages", c.num_stages},
                         {"num_ctas", c.num_ctas},
                         {"maxnreg", c.maxnreg ? json(*c.maxnreg) : json()},
                         {"pre_hook", c.pre_hook}});
    }
    const Autotune& a = *kernel.autotune;
    k["autotune"] = {{"key", a.key},           {"configs", configs},         {"reset_to_zero", a.reset_to_zero},
                     {"restore_value", a.restore_value}, {"pre_hook", a.pre_hook}, {"post_hook", a.post_hook},
                     {"early_config_prune", a.early_config_prune}, {"perf_model", a.perf_model}};
  }
  json imports_json = json::array(), distributions_json = json::array();
  for (const ImportedFile& file : imports) imports_json.push_back({{"path", file.path}, {"sha256", file.sha256}});
  for (const ImportedDistribution& d : distributions) {
    distributions_json.push_back({{"name", d.name}, {"version", d.version}, {"metadata", d.metadata}});
  }
  return {{"ok", true},          {"has_spec", has_spec},     {"spec", spec},
          {"spec_lines", spec_lines}, {"kernels", kernels_json}, {"module_sha256", module_sha256},
          {"imports", imports_json}, {"distributions", distributions_json},
          {"triton_version", triton_version}, {"triton_file", triton_file}, {"triton_key", triton_key},
          {"triton_files", triton_files},
          {"blackwell_ptxas_from", blackwell_ptxas_from ? json(blackwell_ptxas_from) : json()},
          {"target_asked", target_asked}};
}

bool ParseLoadAnswer(const json& message, LoadAnswer* answer, std::string* err) {
  *answer = LoadAnswer();
  Fields f(message, "load answer", "", err);
  json kernels, imports, distributions;
  f.Is("ok", true).Get("has_spec", &answer->has_spec).Get("spec", &answer->spec);
  f.Get("spec_lines", &answer->spec_lines).Get("kernels", &kernels).Get("module_sha256", &answer->module_sha256);
  f.Get("imports", &imports).Get("distributions", &distributions);
  f.Get("triton_version", &answer->triton_version).Get("triton_file", &answer->triton_file);
  f.Get("triton_key", &answer->triton_key).Get("triton_files", &answer->triton_files);
  std::optional<int> blackwell_ptxas_from;
  f.Optional("blackwell_ptxas_from", &blackwell_ptxas_from);
  answer->blackwell_ptxas_from = blackwell_ptxas_from.value_or(0);
  f.Get("target_asked", &answer->target_asked);
  if (f.ok() && !CheckSpecLines(f, answer->spec_lines)) f.Include(false);
  if (f.ok() && !kernels.is_object()) f.Fail("must be an object", "kernels");
  for (auto it = kernels.begin(); f.ok() && it != kernels.end(); ++it) {
    if (!ParseKernelDescription(f, "kernels." + it.key(), it.value(), &answer->kernels[it.key()])) f.Include(false);
  }
  ParseList(f, "imports", imports, &answer->imports, ParseImportedFile);
  ParseList(f, "distributions", distributions, &answer->distributions, ParseDistribution);
  return f.Done();
}

std::string LoadRequestLine(const LoadRequest& request) {
  return json{{"op", "load"},
              {"module", request.module},
              {"source_root", request.source_root},
              {"target_arch", request.target_arch}}
      .dump();
}

bool ParseLoadRequest(const json& message, LoadRequest* request, std::string* err) {
  Fields f(message, "load request", "", err);
  f.Is("op", "load").Get("module", &request->module).Get("source_root", &request->source_root);
  return f.Get("target_arch", &request->target_arch).Done();
}

std::string CompileRequestLine(const std::vector<CompileJob>& jobs) {
  json request = {{"op", "compile"}, {"jobs", json::array()}};
  for (const CompileJob& job : jobs) {
    json line = {{"id", job.id},
                 {"kernel", job.function},
                 {"signature", job.signature},
                 {"constexprs", job.constexprs},
                 {"divisible_by_16", job.divisible_by_16},
                 {"options", job.options},
                 {"arch", job.arch},
                 {"ptxas", job.ptxas},
                 {"out_prefix", job.out_prefix}};
    if (job.prune_config >= 0) line["prune_config"] = job.prune_config;
    request["jobs"].push_back(std::move(line));
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
    j.Optional("prune_config", &job.prune_config);
    f.Include(j.Done());
  }
  return f.Done();
}

json CompileOutcomeToJson(const CompileOutcome& outcome) {
  json result = {{"id", outcome.id}, {"ok", outcome.ok}, {"start_us", outcome.start_us},
                 {"elapsed_us", outcome.elapsed_us}};
  if (outcome.ok && !outcome.pruned.empty()) {
    result["pruned"] = outcome.pruned;
    return result;
  }
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
      r.Optional("pruned", &outcome.pruned);  // then nothing was compiled
      if (outcome.pruned.empty()) r.Get("metadata", &outcome.metadata);
      if (r.ok() && outcome.pruned.empty() && !outcome.metadata.is_object()) r.Fail("must be an object", "metadata");
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
