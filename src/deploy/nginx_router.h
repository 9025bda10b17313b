// Routes traffic by rewriting an nginx upstream block and reloading nginx.
//
// The user's nginx config `include`s `upstream_file`; gauntlet owns that file only:
//   upstream NAME { server ADDR weight=W; ... }   (weight 0: the server is left out)
// SetWeights writes it atomically (temp file + rename), runs `nginx -t`, and on success
// `nginx -s reload` (graceful: old workers finish their requests). When `-t` fails the
// previous file is put back and the error (nginx's own message) returned.
#pragma once

#include <string>
#include <vector>

#include "deploy/command.h"
#include "deploy/router.h"

namespace gauntlet::deploy {

struct NginxRouterOptions {
  std::string upstream_file;  // the file the user's config includes
  std::string upstream_name;  // NAME in `upstream NAME { ... }`
  // How to invoke nginx, before "-t" / "-s reload": the binary and any -p/-c/-g flags,
  // e.g. {"nginx", "-c", "/etc/nginx/nginx.conf"}.
  std::vector<std::string> nginx = {"nginx"};
  Duration timeout{std::chrono::seconds(30)};
};

// The upstream block for `weights` (already validated). Pure.
std::string RenderUpstream(const std::string& name, const std::vector<SlotWeight>& weights);

class NginxRouter : public Router {
 public:
  NginxRouter(NginxRouterOptions options, CommandRunner run);
  Status SetWeights(const std::vector<SlotWeight>& weights) override;

 private:
  Status Run(const std::vector<std::string>& args, const std::string& what);
  NginxRouterOptions options_;
  CommandRunner run_;
};

}  // namespace gauntlet::deploy
