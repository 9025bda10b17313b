// End to end: the real `gauntlet serve` on a TCP port, a real bare repository pushed to
// with git, and GitHub-shaped push webhooks signed like GitHub signs them.
#include <gtest/gtest.h>
#include <httplib.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli_test_util.h"
#include "deploy/testing.h"
#include "server/crypto.h"

namespace gauntlet {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const std::string kSecret = "s3cret-for-hooks";

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
                                     "--repo", "app=" + origin_, "--state-dir", dir_ + "/state",
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
};

TEST_F(ServerE2E, APushWebhookRunsThePipelineAtThePushedCommitEachTime) {
  const std::string zero(40, '0');
  const std::string first = Push("main");
  StartServer();
  auto r = Hook("push", "d-1", PushBody("refs/heads/main", zero, first));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(json::parse(r->body)["queued"], 1);
  EXPECT_NE(ReadUntil("queue 1: push refs/heads/main@" + first.substr(0, 12) + ": done"), "")
      << seen_lines_;
  // The next commit changes the file: the kept workspace is brought to it.
  Commit("version.txt", "2\n");
  const std::string second = Push("main");
  r = Hook("push", "d-2", PushBody("refs/heads/main", first, second));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  EXPECT_NE(ReadUntil("queue 2: push refs/heads/main@" + second.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"),
            "1 " + first + " main\n2 " + second + " main\n");
  // The runs, as the API lists them, newest first, at their commits.
  const std::string reader = Token("dash", "read");
  auto runs = Client().Get("/api/v1/runs?limit=5", {{"Authorization", "Bearer " + reader}});
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->status, 200) << runs->body;
  json list = json::parse(runs->body)["runs"];
  ASSERT_EQ(list.size(), 2u) << runs->body;
  EXPECT_EQ(list[0]["git"]["commit"], second) << list[0].dump();
  EXPECT_EQ(list[1]["git"]["commit"], first);
  EXPECT_EQ(list[0]["status"], "success");
}

TEST_F(ServerE2E, AnUnsignedForgedReplayedOrOversizedWebhookQueuesNothing) {
  const std::string head = Push("main");
  StartServer({"--max-body", "65536"});
  const std::string body = PushBody("refs/heads/main", std::string(40, '0'), head);
  const std::string none = "", forged = "sha256=" + std::string(64, '0');
  const std::string sha1 = "sha1=" + server::HmacSha256Hex(kSecret, body);
  for (const std::string* sig : {&none, &forged, &sha1}) {
    auto r = Hook("push", "d-bad", body, sig);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << *sig << " " << r->body;
  }
  auto wrong_key = Hook("push", "d-bad", body, nullptr, "another secret");
  EXPECT_EQ(wrong_key->status, 401);
  EXPECT_EQ(Hook("push", "d-json", "{not json")->status, 400);
  EXPECT_EQ(Hook("push", "", body)->status, 400) << "no delivery id";
  EXPECT_EQ(Hook("push", "d-repo", PushBody("refs/heads/main", head, head, "other"))->status, 404);
  auto big = Hook("push", "d-big", std::string(70000, ' '));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(json::parse(big->body, nullptr, false).value("error", ""), "") << big->body;
  // The real one, then its replay: acknowledged, queued once.
  EXPECT_EQ(Hook("push", "d-ok", body)->status, 202);
  auto again = Hook("push", "d-ok", body);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body)["duplicate"], true);
  EXPECT_EQ(Hook("ping", "d-ping", "{\"zen\": \"hi\"}")->status, 202);
  json items = Queue(Token("r", "read"));
  ASSERT_EQ(items.size(), 1u) << items.dump();
  EXPECT_EQ(items[0]["delivery"], "d-ok");
}

// 300 deliveries at once, 30 of them repeated: every one answered, each distinct one
// queued exactly once, however the HTTP threads interleave.
TEST_F(ServerE2E, ABurstOfDeliveriesIsAnsweredAndQueuedOncePerDeliveryId) {
  const std::string head = Push("feature");  // ignored by the pipeline: the queue only
  StartServer();
  const std::string body = PushBody("refs/heads/feature", std::string(40, '0'), head);
  std::mutex mu;
  std::map<int, int> statuses;
  std::vector<std::thread> senders;
  for (int i = 0; i < 300; ++i) {
    senders.emplace_back([&, i] {
      auto r = Hook("push", "burst-" + std::to_string(i % 270), body);
      std::lock_guard<std::mutex> lock(mu);
      ++statuses[r ? r->status : -1];
    });
  }
  for (auto& t : senders) t.join();
  EXPECT_EQ(statuses, (std::map<int, int>{{200, 30}, {202, 270}}));
  json items = Client()
                   .Get("/api/v1/queue?limit=1000",
                        {{"Authorization", "Bearer " + Token("r", "read")}})
                   ->body;
  items = json::parse(items.get<std::string>())["items"];
  std::set<std::string> ids;
  for (const json& item : items) ids.insert(item["delivery"].get<std::string>());
  EXPECT_EQ(items.size(), 270u);
  EXPECT_EQ(ids.size(), 270u);
}

TEST_F(ServerE2E, APushToABranchTheFileDoesNotListIsIgnoredWithTheReason) {
  const std::string head = Push("feature");
  StartServer();
  EXPECT_EQ(Hook("push", "d-1", PushBody("refs/heads/feature", std::string(40, '0'), head))->status,
            202);
  EXPECT_NE(ReadUntil("queue 1: push refs/heads/feature@" + head.substr(0, 12) +
                      ": ignored (branch feature matches none of on.push.branches)"),
            "")
      << seen_lines_;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/seen"));
}

// A branch name crafted to become shell code reaches the job as data.
TEST_F(ServerE2E, AHostileBranchNameIsDataInTheJob) {
  const std::string branch = "algo/x$(touch${IFS}pwned)`touch${IFS}pwned2`";
  const std::string head = Push(branch);
  StartServer();
  EXPECT_EQ(Hook("push", "d-1", PushBody("refs/heads/" + branch, std::string(40, '0'), head))->status,
            202);
  EXPECT_NE(ReadUntil(": done (success)"), "") << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "1 " + head + " " + branch + "\n");
  for (const std::string& where : {dir_, dir_ + "/state/workspaces/app"}) {
    EXPECT_FALSE(std::filesystem::exists(where + "/pwned")) << where;
    EXPECT_FALSE(std::filesystem::exists(where + "/pwned2")) << where;
  }
}

TEST_F(ServerE2E, TriggeringARunNeedsATokenWithTheTriggerScope) {
  const std::string head = Push("main");
  StartServer();
  const std::string reader = Token("reader", "read"), ci = Token("ci", "trigger");
  const std::string body = "{\"ref\": \"main\"}";
  auto post = [&](const std::string& token) {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return Client().Post("/api/v1/runs", h, body, "application/json");
  };
  EXPECT_EQ(post("")->status, 401);
  EXPECT_EQ(post("gnt_" + std::string(40, '0'))->status, 401);
  auto weak = post(reader);
  EXPECT_EQ(weak->status, 403);
  EXPECT_NE(weak->body.find("scope read; this needs trigger"), std::string::npos) << weak->body;
  EXPECT_EQ(Client().Get("/api/v1/runs")->status, 401) << "reads need a token too";
  auto ok = post(ci);
  ASSERT_EQ(ok->status, 202) << ok->body;
  json q = json::parse(ok->body);
  EXPECT_EQ(q["commit"], head);
  EXPECT_EQ(q["ref"], "refs/heads/main");
  EXPECT_NE(ReadUntil("queue 1: manual refs/heads/main@" + head.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(Client()
                .Post("/api/v1/runs", {{"Authorization", "Bearer " + ci}},
                      "{\"ref\": \"no-such-branch\"}", "application/json")
                ->status,
            404);
  // Revoked: refused at once, by the running server.
  EXPECT_EQ(ws_.Run({"token", "revoke", "ci", "--state-dir", dir_ + "/state"}).code, 0);
  EXPECT_EQ(post(ci)->status, 401);
  EXPECT_EQ(Queue(reader).size(), 1u);
}

// kill -9 of the server mid-run: the next start resumes the run in place; the job that
// had succeeded does not run again, the one that was running runs to its end once.
TEST_F(ServerE2E, AServerKilledMidRunResumesTheRunAndRunsNothingTwice) {
  const std::string d = dir_;
  Commit("version.txt", "1\n",
         "name: app\non: push\njobs:\n"
         "  first:\n    run: echo first >> " + d + "/count\n"
         "  second:\n    needs: [first]\n"
         "    run: touch " + d + "/second-started; read -r _ < " + d + "/go; echo second >> " +
         d + "/count\n");
  // `second` blocks on this FIFO until the test writes a line: the event it waits for.
  // Held open for writing (O_RDWR does not block) so the job's open does not either.
  ASSERT_EQ(mkfifo((d + "/go").c_str(), 0600), 0);
  const int go = open((d + "/go").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(go, 0);
  const std::string head = Push("main");
  StartServer();
  EXPECT_EQ(Hook("push", "d-1", PushBody("refs/heads/main", std::string(40, '0'), head))->status,
            202);
  // A dependent starts only once its need's result is committed (docs/state.md): from
  // here on `first` is recorded as succeeded.
  ASSERT_TRUE(deploy::testing::WaitForFile(d + "/second-started", seconds(60))) << seen_lines_;
  server_.Stop(SIGKILL);
  StartServer();
  ASSERT_NE(ReadUntil("run 1 started"), "") << seen_lines_;
  // Kept open until the run ends: the line stays in the FIFO until the job reads it.
  ASSERT_EQ(write(go, "go\n", 3), 3);
  EXPECT_NE(ReadUntil("queue 1: push refs/heads/main@" + head.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  close(go);
  EXPECT_EQ(testing::ReadFile(d + "/count"), "first\nsecond\n");
  json items = Queue(Token("r", "read"));
  ASSERT_EQ(items.size(), 1u) << "the acknowledged push, once";
  EXPECT_EQ(items[0]["run_id"], 1);
}

}  // namespace
}  // namespace gauntlet
