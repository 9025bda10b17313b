// The fixture of the server's end-to-end tests: the real `gauntlet serve` on a TCP port, a
// real bare repository pushed to with git, and GitHub-shaped webhooks signed like GitHub
// signs them.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "deploy/testing.h"
#include "server/crypto.h"

namespace gauntlet::server_testing {

using nlohmann::json;
using std::chrono::seconds;

const std::string kSecret = "s3cret-for-hooks";

// Collects a server-sent event stream on a thread until the server stops.
class Stream {
 public:
  Stream(int port, const std::string& path, const std::string& token) {
    thread_ = std::thread([this, port, path, token] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(60, 0);
      c.Get(path, {{"Authorization", "Bearer " + token}}, [this](const char* data, size_t n) {
        std::lock_guard<std::mutex> lock(mu_);
        text_.append(data, n);
        got_.notify_all();
        return true;
      });
    });
  }
  ~Stream() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  // Waits (up to 60 s) until the stream holds `what`; the stream so far.
  std::string WaitFor(const std::string& what) {
    std::unique_lock<std::mutex> lock(mu_);
    got_.wait_for(lock, seconds(60), [&] { return text_.find(what) != std::string::npos; });
    return text_;
  }

 private:
  std::mutex mu_;
  std::condition_variable got_;
  std::string text_;
  std::thread thread_;
};

class ServerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ws_.dir().string();
    origin_ = dir_ + "/origin.git";
    work_ = dir_ + "/work";
    ASSERT_EQ(Sh("git init -q --bare -b main " + origin_), 0);
    ASSERT_EQ(Sh("git init -q -b main " + work_ + " && cd " + work_ +
                 " && git remote add origin " + origin_),
              0);
    ws_.Write("secret", kSecret + "\n");
    Commit("version.txt", "1\n");
  }
  void TearDown() override { server_.Stop(); }

  static int Sh(const std::string& command) { return std::system(command.c_str()); }
  static void Put(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::trunc) << text;
  }

  // Writes files into the working clone and commits them all.
  // By default the pipeline's one job appends the version file, the commit and the
  // branch it sees to dir_/seen.
  void Commit(const std::string& file, const std::string& text, std::string pipeline = "") {
    Put(work_ + "/" + file, text);
    if (pipeline.empty())
      pipeline = "name: app\non:\n  push: {branches: [main, \"algo/*\"]}\njobs:\n  build:\n"
                 "    run: echo \"$(cat version.txt) $(git rev-parse HEAD) ${{ branch }}\" >> " +
                 dir_ + "/seen\n";
    Put(work_ + "/gauntlet.yml", pipeline);
    ASSERT_EQ(Sh("cd " + work_ + " && git add -A && git -c user.name=A -c user.email=a@b commit -q -m c"),
              0);
  }
  // Pushes HEAD to `branch` of the bare repository; the commit id.
  std::string Push(const std::string& branch) {
    EXPECT_EQ(Sh("cd " + work_ + " && git push -q -f origin 'HEAD:refs/heads/" + branch + "'"), 0);
    return Git("rev-parse HEAD");
  }
  std::string Git(const std::string& args) {
    std::string out;
    FILE* p = popen(("cd " + work_ + " && git " + args).c_str(), "r");
    char buf[256];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    if (p) pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  void StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {GAUNTLET_BINARY, "serve", "--listen", "127.0.0.1:0",
                                     "--repo", repo_arg_.empty() ? "app=" + origin_ : repo_arg_, "--state-dir", dir_ + "/state",
                                     "--webhook-secret-file", dir_ + "/secret", "-j", "2"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ASSERT_TRUE(server_.Start(argv, dir_ + "/server.err"));
    std::string line = server_.ReadLine(seconds(20));
    size_t at = line.find("http://127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << line << testing::ReadFile(dir_ + "/server.err");
    port_ = std::stoi(line.substr(at + 17));
  }

  // The server's output lines until one holds `text`: that line, "" at the deadline.
  std::string ReadUntil(const std::string& text, std::chrono::milliseconds deadline = seconds(60)) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      std::string line = server_.ReadLine(std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now()));
      seen_lines_ += line + "\n";
      if (line.find(text) != std::string::npos) return line;
      if (line.empty()) break;
    }
    return "";
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  static std::string PushBody(const std::string& ref, const std::string& before,
                              const std::string& after, const std::string& repo = "app") {
    return json{{"ref", ref},
                {"before", before},
                {"after", after},
                {"repository", {{"name", repo}, {"full_name", "acme/" + repo}}},
                {"pusher", {{"name", "octocat"}}},
                {"deleted", false},
                {"commits", json::array()}}
        .dump();
  }
  // POST /hooks/github, signed with `secret` unless `signature` is given.
  httplib::Result Hook(const std::string& event, const std::string& delivery,
                       const std::string& body, const std::string* signature = nullptr,
                       const std::string& secret = kSecret) {
    httplib::Headers h = {{"X-GitHub-Event", event}, {"X-GitHub-Delivery", delivery}};
    h.emplace("X-Hub-Signature-256",
              signature ? *signature : "sha256=" + server::HmacSha256Hex(secret, body));
    return Client().Post("/hooks/github", h, body, "application/json");
  }

  std::string Token(const std::string& name, const std::string& scope) {
    testing::Output o = ws_.Run({"token", "create", "--name", name, "--scope", scope,
                                 "--state-dir", dir_ + "/state"});
    EXPECT_EQ(o.code, 0) << o.err;
    while (!o.out.empty() && o.out.back() == '\n') o.out.pop_back();
    return o.out;
  }
  json Queue(const std::string& token) {
    auto r = Client().Get("/api/v1/queue", {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r && r->status == 200);
    return r ? json::parse(r->body, nullptr, false)["items"] : json();
  }

  testing::Workspace ws_;
  std::string dir_, origin_, work_;
  deploy::testing::Child server_;
  int port_ = 0;
  std::string seen_lines_;
  std::string repo_arg_;  // --repo; empty: app=ORIGIN
};

}  // namespace gauntlet::server_testing
