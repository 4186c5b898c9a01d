#include "timing_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "atomic_file.h"

namespace triton_aot {

int64_t UnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ToJsonLine(const TimingRecord& r) {
  nlohmann::ordered_json j;
  j["module"] = r.module;
  j["kernel"] = r.kernel;
  j["variant"] = r.variant;
  j["arch"] = r.arch;
  j["start_us"] = r.start_us;
  j["compile_us"] = r.compile_us;
  if (!r.cache.empty()) j["cache"] = r.cache;
  j["compiler"] = r.compiler;
  j["ptxas"] = r.ptxas;
  j["ptxas_version"] = r.ptxas_version;
  j["triton_version"] = r.triton_version;
  j["status"] = r.ok ? "ok" : "failed";
  if (!r.ok) j["error"] = r.error;
  if (!r.skipped.empty()) j["skipped"] = r.skipped;
  j["edge"] = {{"output", r.edge_output}, {"start_us", r.edge_start_us}, {"end_us", r.edge_end_us}};
  if (r.edge_workers > 0) j["edge"]["workers"] = r.edge_workers;
  // Replace invalid UTF-8 from compiler output instead of failing the build.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool ParseJsonLine(const std::string& line, TimingRecord* r, std::string* err) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *err = "not a JSON object";
    return false;
  }
  try {
    r->module = j.at("module").get<std::string>();
    r->kernel = j.at("kernel").get<std::string>();
    r->variant = j.at("variant").get<std::string>();
    r->arch = j.at("arch").get<std::string>();
    r->compile_us = j.at("compile_us").get<int64_t>();
    r->ptxas = j.value("ptxas", "");
    r->ok = j.at("status").get<std::string>() == "ok";
    r->error = j.value("error", "");
    // Lines written before these fields existed read back with the defaults.
    r->start_us = j.value("start_us", int64_t{0});
    r->cache = j.value("cache", "");
    r->compiler = j.value("compiler", "");
    const nlohmann::json edge = j.value("edge", nlohmann::json::object());
    r->edge_output = edge.value("output", "");
    r->edge_start_us = edge.value("start_us", int64_t{0});
    r->edge_end_us = edge.value("end_us", int64_t{0});
    r->edge_workers = edge.value("workers", 0);
    r->triton_version = j.value("triton_version", "");
    r->ptxas_version = j.value("ptxas_version", "");
    r->skipped = j.value("skipped", "");
  } catch (const nlohmann::json::exception& e) {
    *err = e.what();
    return false;
  }
  return true;
}

bool AppendTimingLog(const std::string& path, const std::vector<TimingRecord>& records, std::string* err) {
  std::string text;
  for (const TimingRecord& r : records) text += ToJsonLine(r) + "\n";
  // O_NONBLOCK: a FIFO must not make the edge wait for a reader.
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
  if (fd < 0) {
    *err = fmt::format("cannot open timing log '{}': {}", path, std::strerror(errno));
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
    *err = fmt::format("cannot append to timing log '{}': it is {}, not a file", path, FileTypeName(st.st_mode));
    ::close(fd);
    return false;
  }
  // O_APPEND alone makes each write() land whole at the end on local file
  // systems; the lock also covers short writes and network file systems.
  while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  bool ok = true;
  std::string_view rest = text;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      *err = fmt::format("cannot append to timing log '{}': {}", path, std::strerror(errno));
      break;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  ::close(fd);  // releases the lock
  return ok;
}

bool ReadTimingLog(const std::string& path, std::vector<TimingRecord>* records, int* bad_lines, std::string* err) {
  std::ifstream in(path);
  if (!in) {
    *err = fmt::format("cannot read timing log '{}': {}", path, std::strerror(errno));
    return false;
  }
  *bad_lines = 0;
  std::string line, ignored;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    TimingRecord r;
    if (ParseJsonLine(line, &r, &ignored)) {
      records->push_back(std::move(r));
    } else {
      ++*bad_lines;
    }
  }
  return true;
}

}  // namespace triton_aot
