// Test-only: a real nginx (Debian package `nginx`) run as this user with its prefix in a
// temp directory, routing through the upstream file gauntlet owns. It listens on a unix
// socket in that directory: nginx cannot listen on port 0 and report the port it got,
// and a socket path cannot be taken by another test, so there is no port to race for.
// With `keepalive_timeout 0` (docs/deploy.md, "What clients see on a reload"): each
// response closes its connection, so a reload never closes an idle keep-alive
// connection under a client about to reuse it. And `proxy_next_upstream off`: nginx
// would otherwise resend a request a stopped backend refused to the other server of
// the upstream, hiding a slot stopped while it still had traffic.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "deploy/testing.h"

namespace gauntlet::deploy::testing {

inline bool HaveNginx() { return access("/usr/sbin/nginx", X_OK) == 0; }

class TestNginx {
 public:
  // Writes the config under `dir` (created), the upstream file with `first_upstream`
  // (nginx needs it to start), and starts nginx; ok() says whether it is serving.
  TestNginx(const std::string& dir, const std::string& first_upstream) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/nginx.conf")
        << (geteuid() == 0 ? "user root;\n" : "") << "worker_processes 1;\n"
        << "pid " << pid_file() << ";\nerror_log " << dir_ << "/error.log;\n"
        << "events { worker_connections 512; }\n"
        << "http {\n  access_log off;\n  keepalive_timeout 0;\n  proxy_next_upstream off;\n"
        << "  client_body_temp_path " << dir_ << "/body; proxy_temp_path " << dir_ << "/proxy;\n"
        << "  fastcgi_temp_path " << dir_ << "/fcgi; uwsgi_temp_path " << dir_ << "/uwsgi;\n"
        << "  scgi_temp_path " << dir_ << "/scgi;\n"
        << "  include " << upstream_file() << ";\n"
        << "  server { listen unix:" << socket() << "; location / { proxy_pass http://app; } }\n"
        << "}\n";
    std::ofstream(upstream_file()) << first_upstream;
    std::vector<std::string> argv = command();
    argv.insert(argv.end(), {"-g", "daemon off;"});
    ok_ = process_.Start(argv, dir_ + "/stderr.log") &&
          WaitForFile(pid_file(), std::chrono::seconds(10));
  }

  bool ok() const { return ok_; }
  // How gauntlet runs it (before -t / -s reload).
  std::vector<std::string> command() const {
    return {"/usr/sbin/nginx", "-p", dir_, "-e", dir_ + "/error.log", "-c", dir_ + "/nginx.conf"};
  }
  std::string socket() const { return dir_ + "/nginx.sock"; }
  std::string upstream_file() const { return dir_ + "/upstream.conf"; }
  std::string pid_file() const { return dir_ + "/nginx.pid"; }
  std::string error_log() const { return dir_ + "/error.log"; }
  // Stops nginx (its master, which takes its workers along).
  void Stop() { process_.Stop(SIGQUIT); }

 private:
  std::string dir_;
  Child process_;
  bool ok_ = false;
};

}  // namespace gauntlet::deploy::testing
