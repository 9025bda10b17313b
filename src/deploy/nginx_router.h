// Routes traffic by rewriting an nginx upstream block and reloading nginx.
//
// The user's nginx config `include`s `upstream_file`; gauntlet owns that file only:
//   upstream NAME { server ADDR weight=W; ... }   (weight 0: the server is left out)
// SetWeights does nothing when the file already holds exactly that block (a reload
// closes nginx's idle keep-alive connections: no reload without a change). Otherwise it
// writes it atomically (temp file + rename), runs `nginx -T` (the test, which also
// prints the config, where the `pid` directive names the master's pid file), notes the
// master's workers, and runs `nginx -s reload` (graceful: new workers take new
// connections, the old ones finish theirs and exit). AwaitOldConnections waits for
// those old workers to exit. When the test fails the previous file is put back and
// nginx's own message returned; when the reload fails the new (valid) file stays.
#pragma once

#include <string>
#include <vector>

#include "deploy/command.h"
#include "deploy/proc.h"
#include "deploy/router.h"

namespace gauntlet::deploy {

struct NginxRouterOptions {
  std::string upstream_file;  // the file the user's config includes
  std::string upstream_name;  // NAME in `upstream NAME { ... }`
  // How to invoke nginx, before "-t" / "-s reload": the binary and any -p/-c/-g flags,
  // e.g. {"nginx", "-c", "/etc/nginx/nginx.conf"}.
  std::vector<std::string> nginx = {"nginx"};
  Duration timeout{std::chrono::seconds(30)};
  // nginx's pid file, to find its master; empty: the `pid` directive `nginx -T` shows
  // (relative to the -p prefix), else /run/nginx.pid (Debian's default).
  std::string pid_file;
};

// The pid file named by the `pid` directive in `nginx -T` output, relative paths taken
// from `prefix` (nginx's -p); /run/nginx.pid when there is none; "" when it is relative
// and there is no prefix to resolve it. Pure.
std::string PidFileFromConfig(const std::string& dump, const std::string& prefix);

// The upstream block for `weights` (already validated). Pure.
std::string RenderUpstream(const std::string& name, const std::vector<SlotWeight>& weights);

class NginxRouter : public Router {
 public:
  NginxRouter(NginxRouterOptions options, CommandRunner run);
  Result<bool> SetWeights(const std::vector<SlotWeight>& weights) override;
  Result<std::string> AwaitOldConnections(Clock& clock, Duration timeout) override;

 private:
  // The command's output; an Error when it did not exit 0.
  Result<std::string> Run(const std::vector<std::string>& args, const std::string& what);
  // nginx's master pid from its pid file; 0 (with note_ saying why) when not found.
  pid_t Master(const std::string& config_dump);
  NginxRouterOptions options_;
  CommandRunner run_;
  std::vector<ProcessId> old_workers_;  // the workers before the last reload
  std::string note_;                    // why they could not be found
  bool reload_failed_ = false;          // the file on disk may not be what nginx runs
};

}  // namespace gauntlet::deploy
