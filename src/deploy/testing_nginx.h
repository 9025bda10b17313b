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
#include <set>
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
        << "pid " << pid_file() << ";\nerror_log " << dir_ << "/error.log notice;\n"
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
    // Ready once its worker runs, not when the pid file appears: nginx writes that
    // before its master loop, and a SIGQUIT it gets before that loop is lost (the
    // master then waits for another signal forever, its worker running).
    ok_ = process_.Start(argv, dir_ + "/stderr.log") &&
          WaitForFile(pid_file(), std::chrono::seconds(10)) &&
          AwaitSettled(std::chrono::seconds(10));
  }

  bool ok() const { return ok_; }

  // Waits, on inotify events of the error log (no polling), until every worker nginx
  // started before its last reload has exited and a worker of that reload runs, at most
  // `deadline`. After a reload nginx's old workers go on accepting connections until
  // they handle the master's shutdown signal, with the old routing: a client that starts
  // counting while one still runs sees the upstream before the reload. The master logs
  // each worker it starts and reaps, and each reload, at level notice.
  bool AwaitSettled(std::chrono::milliseconds deadline) {
    return WaitOnInotify(error_log(), IN_MODIFY, [this] { return Settled(); }, deadline);
  }
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
  // From the error log: every worker started since the last reload runs, none from before.
  bool Settled() {
    std::ifstream in(error_log());
    std::set<std::string> before, current;  // live workers by the reload that started them
    for (std::string line; std::getline(in, line);) {
      if (line.ends_with(": reconfiguring")) {
        before.insert(current.begin(), current.end());
        current.clear();
      }
      if (auto at = line.find(": start worker process "); at != std::string::npos)
        current.insert(line.substr(at + 23));
      if (auto at = line.find(": worker process "); at != std::string::npos) {
        std::string pid = line.substr(at + 17, line.find(' ', at + 17) - at - 17);
        before.erase(pid);
        current.erase(pid);
      }
    }
    return before.empty() && !current.empty();
  }

  std::string dir_;
  Child process_;
  bool ok_ = false;
};

}  // namespace gauntlet::deploy::testing
