// Reaching the warm compile service of a build tree.
//
// Every edge of a build would otherwise start Python and import Triton (about
// 0.2 s), then pay Triton's first-compile set-up (about 0.7 s) before its first
// kernel. The service (frontend/triton_aot_service.py) pays that once: it
// imports Triton, compiles one small kernel, and serves each edge from a worker
// forked from that warm process, speaking the frontend's protocol over a Unix
// socket. A worker serves one edge and exits; a crash in one fails only that
// edge. The first edge that finds no service starts one; the others wait for
// it under a lock rather than start their own.
//
// The socket lives in a folder only its user may enter ($XDG_RUNTIME_DIR/
// triton-aot, else /tmp/triton-aot-<uid>), named after the build tree. The
// driver uses a folder or socket only if it is the user's own, and the
// service serves only connections of its own user (SO_PEERCRED). A service
// whose identity (driver, Python, frontend, ptxas, Python's environment) no
// longer matches the edge's, or whose Triton or Python changed on disk since
// it started, stops, and the edge starts a new one.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "environment.h"
#include "frontend.h"
#include "service_identity.h"

namespace triton_aot {

// Where a build tree's service lives.
struct ServicePaths {
  std::string dir;     // owner-only folder shared by the user's services
  std::string socket;  // <dir>/<key>.sock
  std::string lock;    // <dir>/<key>.lock: held while starting a service
  std::string slots;   // <dir>/<key>.slot<i>: the build tree's compile slots (job_slots.h)
  std::string log;     // <dir>/<key>.log: what the service prints
};

// The folder for services: $XDG_RUNTIME_DIR/triton-aot, else
// /tmp/triton-aot-<uid>.
std::string DefaultServiceFolder(const Environment& environment);

// Makes the folder if needed and checks that only its user can enter it;
// false with the reason when it is not safe to use.
bool ServicePathsFor(const std::string& folder, const std::string& build_tree, ServicePaths* paths,
                     std::string* why_not);

struct ServiceOptions {
  std::string build_tree;  // the service serves the edges of this build tree
  std::string folder;      // DefaultServiceFolder() unless a test says otherwise
  std::string python;
  std::string frontend_script;  // triton_aot_frontend.py; the service script lies beside it
  std::string identity;         // ServiceIdentity(): a service started otherwise is replaced
  int idle_timeout_s = 900;
  // What the service's warm-up compiles for (the starting edge's archs and
  // ptxas), so that workers find those already set up.
  std::vector<int> warm_up_archs;
  std::string warm_up_ptxas;
  int start_timeout_ms = 120'000;  // starting Python, importing Triton, the warm-up compile
  Environment environment;         // the edge's, which the worker takes on
};

// A link to a worker of the build tree's service, starting the service if
// none runs. Null, with the reason, when the service cannot be used: the
// caller then starts its own frontend process.
std::unique_ptr<FrontendLink> ConnectToService(const ServiceOptions& options, const FrontendOptions& frontend,
                                               std::string* why_not);

// Asks the build tree's service to exit. True also when none runs; `*what`
// says which.
bool StopService(const std::string& folder, const std::string& build_tree, std::string* what, std::string* err);

// Whether a service runs for the build tree, and its pid. kUnknown, with
// `*err`, when the service folder cannot be used (not the user's own, say).
enum class ServiceState { kRunning, kNotRunning, kUnknown };
ServiceState ServiceRunning(const std::string& folder, const std::string& build_tree, pid_t* pid, std::string* err);

}  // namespace triton_aot
