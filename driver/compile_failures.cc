#include "compile_failures.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "arch.h"
#include "config_fit.h"

namespace triton_aot {
namespace {

using Subject = std::pair<std::string, std::string>;  // variant, sm

struct Group {
  Diagnostic where;  // its place; the message is made once the group is whole
  std::string kernel, message;
  std::vector<Subject> subjects;
};

std::string FirstLines(const std::string& text, size_t max_lines) {
  size_t pos = 0;
  for (size_t i = 0; i < max_lines && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos == 0 ? 0 : pos + 1);
  }
  return pos == std::string::npos ? text : text.substr(0, pos) + "\n  ...";
}

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) {
    text += i == 0 ? "" : i + 1 == items.size() ? " and " : ", ";
    text += items[i];
  }
  return text;
}

// "variant 'a', sm_90a", "variants 'a' and 'b', sm_80 and sm_90a", or, when
// not every variant failed for every arch, "variant 'a' for sm_80, ...".
std::string Subjects(const std::vector<Subject>& subjects) {
  std::vector<std::string> variants, sms;
  for (const auto& [variant, sm] : subjects) {
    if (std::find(variants.begin(), variants.end(), "'" + variant + "'") == variants.end()) {
      variants.push_back("'" + variant + "'");
    }
    if (std::find(sms.begin(), sms.end(), sm) == sms.end()) sms.push_back(sm);
  }
  if (variants.size() * sms.size() == subjects.size()) {
    return fmt::format("{} {}, {}", variants.size() == 1 ? "variant" : "variants", Join(variants), Join(sms));
  }
  std::vector<std::string> pairs;
  for (const auto& [variant, sm] : subjects) pairs.push_back(fmt::format("variant '{}' for {}", variant, sm));
  return Join(pairs);
}

void AddToGroup(std::vector<Group>* groups, Diagnostic where, const std::string& kernel, const Subject& subject,
                const std::string& message) {
  auto group = std::find_if(groups->begin(), groups->end(), [&](const Group& g) {
    return g.where.file == where.file && g.where.line == where.line && g.where.column == where.column &&
           g.kernel == kernel && g.message == message;
  });
  if (group == groups->end()) group = groups->insert(groups->end(), Group{std::move(where), kernel, message, {}});
  group->subjects.push_back(subject);
}

// Triton checks this only when a kernel is loaded; here it is a build error
// rather than a failed launch on the user's machine. (An autotune config that
// does not fit is skipped instead: config_fit.h.)
bool TooMuchSharedMemory(const Job& job, const ModuleBuild& build, const std::string& module_path,
                         Diagnostic* diagnostic) {
  const KernelSpec& kernel = build.spec.kernels[job.kernel_index];
  const Variant& variant = kernel.variants[job.variant_index];
  if (variant.autotune_config >= 0) return false;
  const std::string problem = SharedMemoryProblem(job);
  if (problem.empty()) return false;
  const std::string sm = job.arch.SmName();
  *diagnostic = Diagnostic::At(module_path, variant.line, 0,
                               fmt::format("kernel '{}', variant '{}' {}: lower num_stages or the block sizes of this "
                                           "variant, or leave {} out of ARCHITECTURES",
                                           kernel.name, variant.name, problem, sm));
  return true;
}

}  // namespace

Diagnostics CompileFailures(const JobTable& table, const ModuleBuild& build, const std::string& module_path) {
  std::vector<Group> groups;
  Diagnostics shared_memory;
  for (const Job& job : table.jobs()) {
    const KernelSpec& kernel = build.spec.kernels[job.kernel_index];
    const Variant& variant = kernel.variants[job.variant_index];
    const CompileOutcome& outcome = job.outcome;
    const Subject subject{variant.name, job.arch.SmName()};
    Diagnostic too_much;
    if (!outcome.ok && !outcome.error_file.empty()) {
      // Triton's compiler said where in the kernel's code: point there.
      AddToGroup(&groups, Diagnostic::At(outcome.error_file, outcome.error_line, outcome.error_col, ""), kernel.name,
                 subject, FirstLines(outcome.error, 20));
    } else if (!outcome.ok) {
      AddToGroup(&groups, Diagnostic::At(module_path, variant.line, 0, ""), kernel.name, subject,
                 "Triton failed to compile it:\n  " + FirstLines(outcome.error, 20));
    } else if (TooMuchSharedMemory(job, build, module_path, &too_much)) {
      shared_memory.push_back(std::move(too_much));
    }
  }
  Diagnostics failures;
  for (Group& group : groups) {
    group.where.message = fmt::format("kernel '{}', {}: {}", group.kernel, Subjects(group.subjects), group.message);
    failures.push_back(std::move(group.where));
  }
  failures.insert(failures.end(), shared_memory.begin(), shared_memory.end());
  if (failures.empty()) failures = ArchsNoConfigFits(table, build, module_path);
  return failures;
}

}  // namespace triton_aot
