// End to end: the server's other triggers — polling a remote, GitHub workflow files of the
// watched repository, the generic webhook and chaining on a run's end — with the real
// `gauntlet serve`, real git repositories and real HTTP.
#include <gtest/gtest.h>

#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server_e2e.h"
#include "store/sqlite_db.h"

namespace gauntlet {
namespace {

using nlohmann::json;
using server_testing::kSecret;
using server_testing::ServerE2E;

// The pipeline of the polling test: pushes to main that change src/ run it.
std::string PathsPipeline(const std::string& seen) {
  return "name: app\non:\n  push: {branches: [main], paths: [\"src/**\"]}\njobs:\n  build:\n"
         "    run: echo \"$(cat src/a.txt) $(git rev-parse HEAD) ${{ branch }}\" >> " +
         seen + "\n";
}

// The server fetches a remote (a bare repository, by file:// URL) every second; a push to
// it is a push event with its before and after, so `paths` decides on what it changed.
TEST_F(ServerE2E, APolledRemotesMovedBranchIsAPushWithItsChangedFiles) {
  Commit("src/a.txt", "1\n", PathsPipeline(dir_ + "/seen"));
  Push("main");
  repo_arg_ = "app=file://" + origin_;
  StartServer({"--poll", "1"});
  // The first fetch is where the server starts from: it runs nothing.
  ASSERT_NE(ReadUntil("polling app"), "") << seen_lines_;
  Commit("docs/readme.md", "words\n", PathsPipeline(dir_ + "/seen"));
  const std::string docs = Push("main");
  EXPECT_NE(ReadUntil("queue 1: push refs/heads/main@" + docs.substr(0, 12) +
                      ": ignored (no changed file matches on.push.paths)"),
            "")
      << seen_lines_;
  Commit("src/a.txt", "2\n", PathsPipeline(dir_ + "/seen"));
  const std::string src = Push("main");
  EXPECT_NE(ReadUntil("queue 2: push refs/heads/main@" + src.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "2 " + src + " main\n");
  // A manual trigger resolves its ref in the polled copy: a URL needs no local clone.
  const std::string ci = Token("ci", "trigger");
  auto r = Client().Post("/api/v1/runs", {{"Authorization", "Bearer " + ci}}, "{\"ref\": \"main\"}",
                         "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(json::parse(r->body, nullptr, false).value("commit", ""), src) << r->body;
}

// A workflow under .github/workflows/ is a pipeline of the repository with its own `on:`:
// the push runs it, at the pushed commit, beside gauntlet.yml (which this push skips).
TEST_F(ServerE2E, AWorkflowFileOfTheRepositoryRunsOnAPushItsOnTakes) {
  Put(work_ + "/.github/workflows/ci.yml",
      "name: CI\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
      "    steps:\n      - run: echo \"ci ${{ github.sha }} ${{ github.ref_name }}\" >> " +
          dir_ + "/seen\n");
  Commit("version.txt", "2\n",
         "name: app\non:\n  push: {branches: [release]}\njobs:\n  build:\n    run: echo app >> " +
             dir_ + "/seen\n");
  const std::string head = Push("main");
  StartServer();
  ASSERT_EQ(Hook("push", "d-1", PushBody("refs/heads/main", std::string(40, '0'), head))->status,
            202);
  const std::string fanned =
      ReadUntil("queue 1: push refs/heads/main@" + head.substr(0, 12) + ": done");
  EXPECT_NE(fanned.find("queued .github/workflows/ci.yml (queue 2)"), std::string::npos)
      << seen_lines_;
  EXPECT_NE(fanned.find("gauntlet.yml: branch main matches none of on.push.branches"),
            std::string::npos)
      << fanned;
  EXPECT_NE(ReadUntil("queue 2: push refs/heads/main@" + head.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "ci " + head + " main\n");
  auto item = Client().Get("/api/v1/queue/2", {{"Authorization", "Bearer " + Token("r", "read")}});
  ASSERT_TRUE(item && item->status == 200);
  EXPECT_EQ(json::parse(item->body)["pipeline"], ".github/workflows/ci.yml") << item->body;
}

// A workflow's push and pull_request filters have GitHub's semantics, and gauntlet.yml's
// on.push takes the same filters in its glob syntax: a branch excluded by `!` and by
// branches-ignore runs nothing; a tag runs the workflow (tags filter, no path check) but
// not gauntlet.yml (another tag pattern); `types: [closed]` runs on closing.
TEST_F(ServerE2E, WorkflowFiltersDecideBranchesTagsAndPullRequestTypesAsGithubDoes) {
  Put(work_ + "/.github/workflows/ci.yml",
      "on:\n  push:\n    branches: [\"releases/**\", \"!releases/**-alpha\"]\n"
      "    tags: [\"v[12].[0-9]+.[0-9]+\"]\n    paths: [\"src/**\"]\n"
      "  pull_request:\n    types: [closed]\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
      "    steps:\n      - run: echo \"${{ github.event_name }} "
      "${{ github.event.action || github.ref_name }}\" >> " +
          dir_ + "/seen\n");
  const std::string pipeline =
      "name: app\non:\n  push: {branches-ignore: [\"**\"], tags: [\"v2*\"]}\njobs:\n"
      "  build:\n    run: echo app >> " + dir_ + "/seen\n";
  Commit("version.txt", "1\n", pipeline);
  const std::string before = Git("rev-parse HEAD");
  Commit("version.txt", "2\n", pipeline);  // src/ unchanged: on.push.paths takes no branch
  const std::string head = Push("releases/1-alpha");
  const std::string at = "@" + head.substr(0, 12) + ": ";
  StartServer();
  ASSERT_EQ(Hook("push", "d-1", PushBody("refs/heads/releases/1-alpha", before, head))->status,
            202);
  const std::string branch = ReadUntil("queue 1: push refs/heads/releases/1-alpha" + at + "ignored");
  EXPECT_NE(branch.find("ci.yml: branch releases/1-alpha matches none of on.push.branches"),
            std::string::npos)
      << seen_lines_;
  EXPECT_NE(branch.find("gauntlet.yml: branch releases/1-alpha matches on.push.branches-ignore"),
            std::string::npos)
      << seen_lines_;
  // The tag's push changed no file under src/: paths are not looked at for a tag.
  ASSERT_EQ(Hook("push", "d-2", PushBody("refs/tags/v1.10.1", before, head))->status, 202);
  const std::string tag = ReadUntil("queue 2: push refs/tags/v1.10.1" + at + "done");
  EXPECT_NE(tag.find("gauntlet.yml: tag v1.10.1 matches none of on.push.tags"), std::string::npos)
      << seen_lines_;
  EXPECT_NE(ReadUntil("queue 3: push refs/tags/v1.10.1" + at + "done (success)"), "")
      << seen_lines_;
  const json pr = {{"action", "closed"},
                   {"number", 3},
                   {"pull_request",
                    {{"head", {{"ref", "releases/1-alpha"}, {"sha", head}}},
                     {"base", {{"ref", "main"}}}}},
                   {"repository", {{"name", "app"}}}};
  ASSERT_EQ(Hook("pull_request", "d-3", pr.dump())->status, 202);
  EXPECT_NE(ReadUntil("queue 5: pull_request refs/heads/releases/1-alpha" + at + "done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "push v1.10.1\npull_request closed\n");
}

// POST /api/v1/hooks/generic/NAME: signed like GitHub's, a replay queues nothing, and the
// body's values reach the job as data however they are crafted.
TEST_F(ServerE2E, AGenericWebhookRunsThePipelinesOfItsNameWithTheBodyAsData) {
  Commit("version.txt", "2\n",
         "name: app\non:\n  webhook: {name: deploy-request}\njobs:\n  build:\n"
         "    run: echo \"hook ${{ event.payload.version }} ${{ event.webhook.name }} "
         "${{ event.webhook.delivery }}\" >> " +
             dir_ + "/seen\n");
  const std::string head = Push("main");
  StartServer();
  auto post = [&](const std::string& name, const std::string& delivery, const std::string& body,
                  const std::string& signature) {
    httplib::Headers h = {{"X-Gauntlet-Delivery", delivery}, {"X-Hub-Signature-256", signature}};
    return Client().Post("/api/v1/hooks/generic/" + name + "?ref=main", h, body,
                         "application/json");
  };
  auto sign = [](const std::string& body) {
    return "sha256=" + server::HmacSha256Hex(kSecret, body);
  };
  const std::string crafted = "1\"; touch pwned; echo \"$(touch pwned2)`touch pwned3`";
  const std::string body = json{{"version", crafted}}.dump();
  EXPECT_EQ(post("deploy-request", "g-1", body, "sha256=" + std::string(64, '0'))->status, 401);
  EXPECT_EQ(post("deploy-request", "", body, sign(body))->status, 400);
  EXPECT_EQ(post("deploy-request", "g-1", "[1]", sign("[1]"))->status, 400);
  EXPECT_EQ(post("bad$name", "g-1", body, sign(body))->status, 404);
  auto ok = post("deploy-request", "g-1", body, sign(body));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202) << ok->body;
  EXPECT_EQ(json::parse(ok->body, nullptr, false).value("commit", ""), head) << ok->body;
  auto again = post("deploy-request", "g-1", body, sign(body));
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body)["duplicate"], true);
  EXPECT_NE(
      ReadUntil("queue 1: webhook refs/heads/main@" + head.substr(0, 12) + ": done (success)"), "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "hook " + crafted + " deploy-request g-1\n");
  for (const std::string& where : {dir_, dir_ + "/state/workspaces/app"})
    for (const char* file : {"/pwned", "/pwned2", "/pwned3"})
      EXPECT_FALSE(std::filesystem::exists(where + file)) << where << file;
  // Another name starts nothing here: the item says why.
  const std::string other = "{}";
  EXPECT_EQ(post("nightly", "g-2", other, sign(other))->status, 202);
  EXPECT_NE(ReadUntil("queue 2: webhook refs/heads/main@" + head.substr(0, 12) +
                      ": ignored (webhook 'nightly' is not in on.webhook.name)"),
            "")
      << seen_lines_;
}

// POST /hooks/generic/NAME in GitLab's form: X-Gitlab-Token carries the secret itself
// (a wrong or empty one is 401, a signature header still takes precedence), GitLab's
// Idempotency-Key (else X-Gitlab-Event-UUID) is the delivery id, so a retried delivery
// queues nothing.
TEST_F(ServerE2E, AGenericWebhookInGitlabsFormIsCheckedByItsToken) {
  Commit("version.txt", "2\n",
         "name: app\non:\n  webhook: {name: gitlab}\njobs:\n  build:\n"
         "    run: echo \"${{ event.payload.object_kind }} ${{ event.webhook.delivery }}\" >> " +
             dir_ + "/seen\n");
  const std::string head = Push("main");
  StartServer();
  auto post = [&](const httplib::Headers& h, const std::string& body) {
    return Client().Post("/hooks/generic/gitlab?ref=main", h, body, "application/json");
  };
  const std::string body = json{{"object_kind", "push"}}.dump();
  EXPECT_EQ(post({{"X-Gitlab-Token", "wrong"}, {"Idempotency-Key", "k-1"}}, body)->status, 401);
  EXPECT_EQ(post({{"X-Gitlab-Token", ""}, {"Idempotency-Key", "k-1"}}, body)->status, 401);
  EXPECT_EQ(post({{"X-Gitlab-Token", kSecret + "x"}, {"Idempotency-Key", "k-1"}}, body)->status,
            401);
  // A signature header is checked instead of the token, not beside it.
  EXPECT_EQ(post({{"X-Gitlab-Token", kSecret}, {"X-Hub-Signature-256", "sha256=00"},
                  {"Idempotency-Key", "k-1"}},
                 body)
                ->status,
            401);
  auto no_id = post({{"X-Gitlab-Token", kSecret}}, body);
  EXPECT_EQ(no_id->status, 400);
  EXPECT_NE(no_id->body.find("Idempotency-Key"), std::string::npos) << no_id->body;
  auto ok = post({{"X-Gitlab-Token", kSecret}, {"Idempotency-Key", "k-1"},
                  {"X-Gitlab-Event-UUID", "u-1"}},
                 body);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202) << ok->body;
  auto retried = post({{"X-Gitlab-Token", kSecret}, {"Idempotency-Key", "k-1"},
                       {"X-Gitlab-Event-UUID", "u-2"}},
                      body);
  EXPECT_EQ(retried->status, 200) << retried->body;
  EXPECT_EQ(json::parse(retried->body)["duplicate"], true);
  auto by_uuid = post({{"X-Gitlab-Token", kSecret}, {"X-Gitlab-Event-UUID", "u-3"}}, body);
  EXPECT_EQ(by_uuid->status, 202) << by_uuid->body;
  const std::string at = "webhook refs/heads/main@" + head.substr(0, 12);
  EXPECT_NE(ReadUntil("queue 2: " + at + ": done (success)"), "") << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "push k-1\npush u-3\n");
}

// A workflow's `on.schedule` is fired like gauntlet.yml's, and its slot runs that
// workflow: here a slot an earlier server missed two hours ago fires once at start.
TEST_F(ServerE2E, AWorkflowsScheduleRunsThatWorkflow) {
  Put(work_ + "/.github/workflows/nightly.yml",
      "name: nightly\non:\n  schedule:\n    - cron: '0 * * * *'\njobs:\n  tick:\n"
      "    runs-on: ubuntu-latest\n    steps:\n"
      "      - run: echo \"nightly ${{ github.event_name }}\" >> " + dir_ + "/seen\n");
  Commit("version.txt", "1\n", "name: app\non: push\njobs:\n  build: {run: 'true'}\n");
  const std::string head = Push("main");
  const std::string reader = Token("r", "read");  // creates server.db
  {
    auto db = store::SqliteDb::Open(dir_ + "/state/server.db", /*readonly=*/false);
    ASSERT_TRUE(db.ok());
    const int64_t two_hours_ago = time(nullptr) - 2 * 3600;
    ASSERT_TRUE((*db)->Exec("INSERT INTO schedules (key, last_fire_s) VALUES "
                            "('.github/workflows/nightly.yml' || char(10) || 'app' || char(10) || "
                            "'0 * * * *' || char(10), " + std::to_string(two_hours_ago) + ")")
                    .ok());
  }
  StartServer();
  ASSERT_NE(ReadUntil("queue 1: schedule refs/heads/main@" + head.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "nightly schedule\n");
  json items = Queue(reader);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["pipeline"], ".github/workflows/nightly.yml");
}

// `on.run` chains pipelines: a push runs the CI workflow; its success runs gauntlet.yml's
// deploy (gauntlet's spelling), whose end runs a workflow (GitHub's workflow_run), each at
// the pushed commit.
TEST_F(ServerE2E, ARunThatEndsStartsThePipelinesChainedOnIt) {
  const std::string seen = dir_ + "/seen";
  Put(work_ + "/.github/workflows/ci.yml",
      "name: CI\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
      "    steps:\n      - run: echo \"ci ${{ github.event_name }}\" >> " +
          seen + "\n");
  Put(work_ + "/.github/workflows/notify.yml",
      "name: notify\non:\n  workflow_run:\n    workflows: [deploy]\n    types: [completed]\n"
      "jobs:\n  tell:\n    runs-on: ubuntu-latest\n    steps:\n"
      "      - run: echo \"notify ${{ github.event_name }} ${{ "
      "github.event.workflow_run.conclusion }}"
      " ${{ github.sha }}\" >> " +
          seen + "\n");
  Commit("version.txt", "2\n",
         "name: deploy\non:\n  run: {pipelines: [CI], status: [success]}\njobs:\n  ship:\n"
         "    run: echo \"deploy ${{ event.name }} ${{ event.payload.run.pipeline }} "
         "${{ event.payload.run.status }}\" >> " +
             seen + "\n");
  const std::string head = Push("main");
  StartServer();
  ASSERT_EQ(Hook("push", "d-1", PushBody("refs/heads/main", std::string(40, '0'), head))->status,
            202);
  const std::string at = "refs/heads/main@" + head.substr(0, 12);
  EXPECT_NE(ReadUntil("queue 2: push " + at + ": done (success)"), "") << seen_lines_;
  EXPECT_NE(ReadUntil("queue 3: run " + at + ": done (success)"), "") << seen_lines_;
  EXPECT_NE(ReadUntil("queue 4: run " + at + ": done (success)"), "") << seen_lines_;
  EXPECT_EQ(testing::ReadFile(seen),
            "ci push\ndeploy run CI success\nnotify workflow_run success " + head + "\n");
}

// GET /api/v1/events streams each change of a queue item, in order, as server-sent events;
// read here by a real HTTP client until the run's end arrives (with a deadline).
TEST_F(ServerE2E, TheEventStreamSaysEachStepOfATriggeredRunInOrder) {
  const std::string head = Push("main");
  StartServer();
  const std::string reader = Token("r", "read");
  EXPECT_EQ(Client().Get("/api/v1/events")->status, 401);
  std::mutex mu;
  std::condition_variable arrived;
  std::string stream;
  bool ended = false;
  std::thread follower([&] {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    // after=0: every kept event, so none is missed however late the stream connects.
    c.Get("/api/v1/events?after=0", {{"Authorization", "Bearer " + reader}},
          [&](const char* data, size_t n) {
            std::lock_guard<std::mutex> lock(mu);
            stream.append(data, n);
            return stream.find("\"what\":\"done\"") == std::string::npos &&
                   std::chrono::steady_clock::now() < deadline;
          });
    std::lock_guard<std::mutex> lock(mu);
    ended = true;
    arrived.notify_all();
  });
  ASSERT_EQ(Hook("push", "d-1", PushBody("refs/heads/main", std::string(40, '0'), head))->status,
            202);
  {
    std::unique_lock<std::mutex> lock(mu);
    arrived.wait_for(lock, std::chrono::seconds(70), [&] { return ended; });
  }
  follower.join();
  std::lock_guard<std::mutex> lock(mu);
  const size_t queued = stream.find("\"what\":\"queued\"");
  const size_t started = stream.find("\"what\":\"run 1 started\"");
  const size_t done = stream.find("\"what\":\"done\"");
  ASSERT_NE(done, std::string::npos) << stream;
  EXPECT_LT(queued, started) << stream;
  EXPECT_LT(started, done) << stream;
  EXPECT_NE(stream.find("id: 1\nevent: queue\ndata: {"), std::string::npos) << stream;
  const size_t data = stream.rfind("data: ", done);
  json last =
      json::parse(stream.substr(data + 6, stream.find('\n', data) - data - 6), nullptr, false);
  EXPECT_EQ(last["queue"], 1) << stream;
  EXPECT_EQ(last["detail"], "success") << stream;
  EXPECT_EQ(last["commit"], head) << stream;
  EXPECT_EQ(last["run_id"], 1) << stream;
}

// --rate-limit 3: the 4th call of a token in a minute gets 429 with Retry-After, another
// token is not held back, and webhooks are counted by the sender's address.
TEST_F(ServerE2E, CallsOverTheRateLimitGet429WithRetryAfter) {
  Push("main");
  StartServer({"--rate-limit", "3"});
  const std::string a = Token("a", "read"), b = Token("b", "read");
  auto get = [&](const std::string& token) {
    return Client().Get("/api/v1/queue", {{"Authorization", "Bearer " + token}});
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get(a)->status, 200) << i;
  auto refused = get(a);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429) << refused->body;
  EXPECT_EQ(refused->get_header_value("Retry-After"), "20");
  EXPECT_NE(json::parse(refused->body, nullptr, false).value("error", ""), "");
  EXPECT_EQ(get(b)->status, 200);
  EXPECT_EQ(Client().Get("/healthz")->status, 200) << "health is never limited";
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Hook("ping", "p-" + std::to_string(i), "{}")->status, 202) << i;
  EXPECT_EQ(Hook("ping", "p-3", "{}")->status, 429);
}

// --config: the file's settings, flags over them, and a mistake refused at its place.
TEST_F(ServerE2E, AConfigFileSetsTheServerAndFlagsOverrideIt) {
  const std::string head = Push("main");
  const std::string file = dir_ + "/server.yml";
  Put(file, "listen: 127.0.0.1:1\njobs: many\n");
  testing::Output bad = ws_.Run({"serve", "--config", file});
  EXPECT_EQ(bad.code, 2) << "a config file error (serve --help)";
  EXPECT_NE(bad.err.find(file + ":2:7: expected a whole number"), std::string::npos) << bad.err;
  Put(file, "listen: 127.0.0.1:1\nstate_dir: " + dir_ + "/state\n" +
                "webhook_secret_env: TEST_HOOK_SECRET\nrepos:\n  - {name: app, path: " + origin_ +
                "}\n");
  ::setenv("TEST_HOOK_SECRET", kSecret.c_str(), 1);
  // Port 1 of the file would be refused: the flag's port 0 is taken instead.
  ASSERT_TRUE(server_.Start({GAUNTLET_BINARY, "serve", "--config", file, "--listen", "127.0.0.1:0"},
                            dir_ + "/server.err"));
  const std::string line = server_.ReadLine(std::chrono::seconds(20));
  ::unsetenv("TEST_HOOK_SECRET");
  size_t at = line.find("http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << line << testing::ReadFile(dir_ + "/server.err");
  EXPECT_NE(line.find("(1 repository, state in " + dir_ + "/state)"), std::string::npos) << line;
  port_ = std::stoi(line.substr(at + 17));
  // The secret came from the variable the file names.
  auto r = Hook("push", "d-1", PushBody("refs/heads/main", std::string(40, '0'), head));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  EXPECT_NE(ReadUntil("queue 1: push refs/heads/main@" + head.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
}

}  // namespace
}  // namespace gauntlet
