// End to end: the real `gauntlet serve` on a TCP port, a real bare repository pushed to
// with git, and GitHub-shaped push webhooks signed like GitHub signs them.
#include <gtest/gtest.h>
#include <httplib.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "server_e2e.h"
#include "store/sqlite_db.h"

namespace gauntlet {
namespace {

using nlohmann::json;
using std::chrono::seconds;

using server_testing::kSecret;
using server_testing::ServerE2E;

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
  const std::string reader = Token("r", "read");
  json items = Queue(reader);
  ASSERT_EQ(items.size(), 1u) << items.dump();
  EXPECT_EQ(items[0]["delivery"], "d-ok");
  // Every outcome counted once per delivery, and the run with its job once it ended.
  ASSERT_NE(ReadUntil(": done (success)"), "") << seen_lines_;
  EXPECT_EQ(Client().Get("/metrics")->status, 401);
  auto metrics = Client().Get("/metrics", {{"Authorization", "Bearer " + reader}});
  ASSERT_TRUE(metrics && metrics->status == 200);
  for (const std::string line :
       {"gauntlet_webhook_deliveries_total{outcome=\"unauthorized\"} 4",
        "gauntlet_webhook_deliveries_total{outcome=\"malformed\"} 2",
        "gauntlet_webhook_deliveries_total{outcome=\"unknown_repo\"} 1",
        "gauntlet_webhook_deliveries_total{outcome=\"too_large\"} 1",
        "gauntlet_webhook_deliveries_total{outcome=\"queued\"} 1",
        "gauntlet_webhook_deliveries_total{outcome=\"duplicate\"} 1",
        "gauntlet_webhook_deliveries_total{outcome=\"acknowledged\"} 1",
        "gauntlet_queue_items{state=\"done\"} 1", "gauntlet_queue_items{state=\"queued\"} 0",
        "gauntlet_runs_total{repo=\"app\",status=\"success\"} 1",
        "gauntlet_job_duration_seconds_bucket{le=\"+Inf\"} 1",
        "gauntlet_job_duration_seconds_count 1"})
    EXPECT_NE(metrics->body.find("\n" + line + "\n"), std::string::npos)
        << line << "\n" << metrics->body;
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
  for (const std::string bad : {"{\"repo\": 5}", "{\"ref\": [\"main\"]}"})
    EXPECT_EQ(Client()
                  .Post("/api/v1/runs", {{"Authorization", "Bearer " + ci}}, bad, "application/json")
                  ->status,
              400)
        << bad;
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

// A schedule seen for the first time fires nothing for the past; slots missed while the
// server was down fire once, for the latest, at the next start; a restart fires nothing
// twice. The downtime is made by moving the stored last fire back three hours.
TEST_F(ServerE2E, AScheduleMissedWhileDownFiresOnceAtStartAndNeverTwice) {
  Commit("version.txt", "1\n",
         "name: app\non:\n  schedule:\n    - cron: \"0 * * * *\"\njobs:\n  tick:\n"
         "    run: echo \"$(git rev-parse HEAD) ${{ branch }}\" >> " + dir_ + "/seen\n");
  const std::string head = Push("main");
  const std::string reader = Token("r", "read");
  StartServer();
  ASSERT_NE(ReadUntil("watching 1 schedule"), "") << seen_lines_;
  EXPECT_EQ(Queue(reader).size(), 0u) << "a new schedule does not fire for the past";
  server_.Stop();
  {
    auto db = store::SqliteDb::Open(dir_ + "/state/server.db", /*readonly=*/false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE schedules SET last_fire_s = last_fire_s - 3 * 3600").ok());
  }
  StartServer();
  ASSERT_NE(ReadUntil("queue 1: schedule refs/heads/main@" + head.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), head + " main\n");
  json items = Queue(reader);
  ASSERT_EQ(items.size(), 1u) << "three missed slots fire once";
  EXPECT_EQ(items[0]["event"], "schedule");
  server_.Stop();
  StartServer();
  ASSERT_NE(ReadUntil("watching 1 schedule"), "") << seen_lines_;
  EXPECT_EQ(Queue(reader).size(), 1u) << "a restart fires nothing again";
}

// A schedule in a pipeline file that does not load is said, with file:line:col, and the
// server goes on.
TEST_F(ServerE2E, AnUnreadableScheduleIsSaidWithItsPlace) {
  Commit("version.txt", "1\n",
         "name: app\non:\n  schedule:\n    - cron: \"0 * * * *\"\n      timezone: Mars/Base\n"
         "jobs:\n  tick: {run: 'true'}\n");
  Push("main");
  StartServer();
  std::string line = ReadUntil("schedules of app not read");
  EXPECT_NE(line.find("gauntlet.yml:5:17"), std::string::npos) << line << seen_lines_;
  EXPECT_NE(line.find("unknown time zone 'Mars/Base'"), std::string::npos) << line;
}

// examples/merge-train, served: merging an algo-tuning/* branch into main runs the gated
// tests and the deploy at the merge commit; an ordinary merge runs the checks only; a
// hostile branch name reaches the scripts as data.
TEST_F(ServerE2E, AMergedAlgoTuningBranchRunsTheGatedTestsAndDeploysTheMerge) {
  ASSERT_EQ(Sh("cp -r " + std::string(GAUNTLET_SOURCE_DIR) + "/examples/merge-train/. " + work_ +
               " && cd " + work_ + " && git add -A && git -c user.name=A -c user.email=a@b "
               "commit -q -m example"),
            0);
  std::string main_head = Push("main");
  StartServer();
  int item = 0;
  // Merges `branch` (one commit changing params.env) into main with git's own message,
  // pushes both, sends the webhook and waits for the item to end: the merge commit.
  auto merge = [&](const std::string& branch, const std::string& rate) {
    const std::string b = "'" + branch + "'";
    EXPECT_EQ(Sh("cd " + work_ + " && git checkout -q -b " + b +
                 " && echo learning_rate=" + rate + " > params.env && git -c user.name=A "
                 "-c user.email=a@b commit -qam tune && git checkout -q main && git -c "
                 "user.name=A -c user.email=a@b merge -q --no-ff " + b + " >/dev/null"),
              0);
    Push(branch);
    const std::string before = main_head;
    main_head = Push("main");
    ++item;
    EXPECT_EQ(Hook("push", "m-" + std::to_string(item),
                   PushBody("refs/heads/main", before, main_head))->status,
              202);
    EXPECT_NE(ReadUntil("queue " + std::to_string(item) + ": push refs/heads/main@" +
                        main_head.substr(0, 12) + ": done (success)"),
              "")
        << seen_lines_;
    return main_head;
  };
  const std::string deployed = dir_ + "/state/workspaces/app/out/deployed.txt";
  const std::string tuned = merge("algo-tuning/lr-sweep", "0.08");
  EXPECT_EQ(testing::ReadFile(deployed), "deployed " + tuned + " from algo-tuning/lr-sweep\n");
  merge("docs/readme", "0.05");
  EXPECT_EQ(testing::ReadFile(deployed), "deployed " + tuned + " from algo-tuning/lr-sweep\n")
      << "an ordinary merge deploys nothing";
  const std::string hostile = "algo-tuning/x$(touch${IFS}" + dir_ + "/pwned)`id`";
  const std::string third = merge(hostile, "0.07");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/pwned"));
  EXPECT_EQ(testing::ReadFile(deployed), "deployed " + tuned + " from algo-tuning/lr-sweep\n" +
                                             "deployed " + third + " from " + hostile + "\n");
}

// The run routes: detail, the log as JSON, as text with a byte range, followed live as
// server-sent events while the job runs (the first line arrives before the job ends),
// and a cancel that needs the trigger scope and ends the queue item cancelled.
TEST_F(ServerE2E, ARunsDetailLogAndLiveLogAreServedAndCancelNeedsTheTriggerScope) {
  const std::string d = dir_;
  ASSERT_EQ(mkfifo((d + "/go").c_str(), 0600), 0);
  const int go = open((d + "/go").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(go, 0);
  Commit("version.txt", "1\n",
         "name: app\non: push\njobs:\n  talk:\n"
         "    run: echo hello-from-the-job; read -r _ < " + d + "/go; echo bye\n"
         "  hang:\n    needs: [talk]\n    run: read -r _ < " + d + "/go\n");
  const std::string head = Push("main");
  const std::string reader = Token("r", "read"), trigger = Token("t", "trigger");
  const httplib::Headers as_reader = {{"Authorization", "Bearer " + reader}};
  StartServer();
  ASSERT_EQ(Hook("push", "l-1", PushBody("refs/heads/main", std::string(40, '0'), head))->status,
            202);
  ASSERT_NE(ReadUntil("run 1 started"), "") << seen_lines_;

  // Live: the first line comes while the job still waits on the FIFO.
  std::mutex mu;
  std::string events;
  std::condition_variable got;
  std::thread follower([&] {
    httplib::Client c = Client();
    c.Get("/api/v1/runs/1/log?job=talk&follow=1", as_reader,
          [&](const char* data, size_t n) {
            std::lock_guard<std::mutex> lock(mu);
            events.append(data, n);
            got.notify_all();
            return true;
          });
  });
  // A failed assertion returns early: the server's stop ends the stream, then this joins.
  std::shared_ptr<void> join_on_exit(nullptr, [&](void*) {
    server_.Stop();
    if (follower.joinable()) follower.join();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(got.wait_for(lock, seconds(30), [&] {
      return events.find("hello-from-the-job") != std::string::npos;
    })) << events;
    EXPECT_EQ(events.find("bye"), std::string::npos) << "the job has not gone on yet";
    EXPECT_EQ(events.rfind("event: log\ndata: ", 0), 0u) << events;
  }
  ASSERT_EQ(write(go, "go\n", 3), 3);  // `talk` ends; `hang` then waits for the next line
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(got.wait_for(lock, seconds(30), [&] {
      return events.find("bye") != std::string::npos;
    })) << events;
  }

  auto detail = Client().Get("/api/v1/runs/1", as_reader);
  ASSERT_TRUE(detail && detail->status == 200);
  json run = json::parse(detail->body);
  EXPECT_EQ(run["repo"], "app");
  EXPECT_EQ(run["status"], "running");

  auto text = Client().Get("/api/v1/runs/1/log?job=talk&format=text", as_reader);
  ASSERT_TRUE(text && text->status == 200);
  EXPECT_EQ(text->body, "hello-from-the-job\nbye\n");
  httplib::Headers ranged = as_reader;
  ranged.emplace("Range", "bytes=6-9");
  auto part = Client().Get("/api/v1/runs/1/log?job=talk&format=text", ranged);
  ASSERT_TRUE(part);
  ASSERT_EQ(part->status, 206) << part->body;
  EXPECT_EQ(part->body, "from");
  auto chunks = Client().Get("/api/v1/runs/1/log", as_reader);
  ASSERT_TRUE(chunks && chunks->status == 200);
  EXPECT_EQ(json::parse(chunks->body)["chunks"][0]["job"], "talk");
  EXPECT_EQ(Client().Get("/api/v1/runs/1/log?job=nope", as_reader)->status, 404);
  EXPECT_EQ(Client().Get("/api/v1/runs/9/log", as_reader)->status, 404);
  EXPECT_EQ(Client().Get("/api/v1/runs/1?repo=..%2F..%2Fetc", as_reader)->status, 404);
  EXPECT_EQ(Client().Get("/api/v1/runs/1")->status, 401);

  EXPECT_EQ(Client().Post("/api/v1/runs/1/cancel", as_reader, "", "application/json")->status, 403);
  auto cancel = Client().Post("/api/v1/runs/1/cancel", {{"Authorization", "Bearer " + trigger}},
                              "", "application/json");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->status, 202) << cancel->body;
  EXPECT_NE(ReadUntil("queue 1: push refs/heads/main@" + head.substr(0, 12) + ": done (cancelled)"),
            "")
      << seen_lines_;
  close(go);
  follower.join();  // the stream ends with the run
  EXPECT_NE(events.find("event: end\ndata: {\"run\":1,\"status\":\"cancelled\"}"),
            std::string::npos)
      << events;
  auto again = Client().Post("/api/v1/runs/1/cancel", {{"Authorization", "Bearer " + trigger}},
                             "", "application/json");
  EXPECT_EQ(again->status, 409) << again->body;
}

// `gauntlet trigger` against the server: inputs are checked against on.manual.inputs at
// the commit before anything is queued, and reach the job typed, as data.
TEST_F(ServerE2E, AManualTriggerChecksItsTypedInputsBeforeQueueing) {
  Commit("version.txt", "1\n",
         "name: app\non:\n  manual:\n    inputs:\n"
         "      env: {type: choice, options: [staging, production], required: true}\n"
         "      replicas: {type: number, default: \"1\"}\njobs:\n  show:\n"
         "    run: echo \"${{ event.name }} ${{ event.inputs.env }} ${{ event.inputs.replicas }} "
         "${{ event.inputs.replicas == 3 }}\" >> " + dir_ + "/seen\n");
  const std::string head = Push("main");
  const std::string trigger = Token("t", "trigger"), reader = Token("r", "read");
  StartServer();
  const std::string server = "http://127.0.0.1:" + std::to_string(port_);
  auto run = [&](std::vector<std::string> args, const std::string& token) {
    args.insert(args.begin(), {"trigger", "--server", server});
    if (token.empty())
      unsetenv("GAUNTLET_TOKEN");
    else
      setenv("GAUNTLET_TOKEN", token.c_str(), 1);
    testing::Output o = ws_.Run(args);
    unsetenv("GAUNTLET_TOKEN");
    return o;
  };
  testing::Output bad = run({"--input", "env=prod"}, trigger);
  EXPECT_EQ(bad.code, 2) << bad.err;
  EXPECT_NE(bad.err.find("input 'env': 'prod' is not one of staging, production"), std::string::npos)
      << bad.err;
  testing::Output missing = run({"--input", "replicas=2"}, trigger);
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("input 'env' is required"), std::string::npos) << missing.err;
  EXPECT_EQ(run({"--input", "env=staging"}, "").code, 1) << "no token";
  EXPECT_EQ(run({"--input", "env=staging"}, reader).code, 1) << "read scope";
  EXPECT_EQ(run({"nope", "--input", "env=staging"}, trigger).code, 3);
  EXPECT_EQ(Queue(reader).size(), 0u) << "nothing refused was queued";

  testing::Output ok = run({"app", "--ref", "main", "--input", "env=production", "--input",
                            "replicas=3"},
                           trigger);
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "queued 1: app refs/heads/main@" + head.substr(0, 12) + "\n");
  ASSERT_NE(ReadUntil("queue 1: manual refs/heads/main@" + head.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "manual production 3 true\n");
  testing::Output js = run({"--json", "--input", "env=staging"}, trigger);
  ASSERT_EQ(js.code, 0) << js.err;
  json answer = json::parse(js.out);
  EXPECT_EQ(answer["queued"], 2);
  EXPECT_EQ(answer["inputs"], (json{{"env", "staging"}, {"replicas", 1}}));
}

// `gauntlet hook install`: a push to the bare repository (and a commit in a working one)
// reaches the server through the installed hook, with no webhook; a server that is down
// never fails the push.
TEST_F(ServerE2E, AnInstalledHookStartsARunOnEveryPushWithoutAWebhook) {
  ws_.Write("token", Token("hook", "trigger") + "\n");
  StartServer();
  const std::string server = "http://127.0.0.1:" + std::to_string(port_);
  testing::Output installed = ws_.Run({"hook", "install", "--repo", origin_, "--token-file",
                                       dir_ + "/token", "--server", server, "--name", "app"});
  ASSERT_EQ(installed.code, 0) << installed.err;
  EXPECT_NE(installed.out.find("post-receive"), std::string::npos) << installed.out;
  const std::string head = Push("main");
  ASSERT_NE(ReadUntil("queue 1: push refs/heads/main@" + head.substr(0, 12) + ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"), "1 " + head + " main\n");
  Commit("version.txt", "2\n");
  Push("docs/typo");  // a branch the pipeline does not list
  ASSERT_NE(ReadUntil("queue 2: push refs/heads/docs/typo@"), "") << seen_lines_;
  server_.Stop();
  // The server is gone: the push still succeeds, with a warning.
  Commit("version.txt", "3\n");
  const std::string out = dir_ + "/push.err";
  EXPECT_EQ(Sh("cd " + work_ + " && git push -q origin HEAD:refs/heads/main 2>" + out), 0);
  EXPECT_NE(testing::ReadFile(out).find("was not told about this push"), std::string::npos)
      << testing::ReadFile(out);
}

TEST_F(ServerE2E, AHookInAWorkingRepositorySeesCommitsAndRefusesToReplaceAnother) {
  ws_.Write("token", Token("hook", "trigger") + "\n");
  // The server watches the working clone itself, as a developer's laptop would.
  server_.Stop();
  std::vector<std::string> argv = {GAUNTLET_BINARY, "serve", "--listen", "127.0.0.1:0",
                                   "--repo", "work=" + work_, "--state-dir", dir_ + "/state"};
  ASSERT_TRUE(server_.Start(argv, dir_ + "/server.err"));
  std::string line = server_.ReadLine(seconds(20));
  ASSERT_NE(line.find("http://127.0.0.1:"), std::string::npos) << line;
  port_ = std::stoi(line.substr(line.find("http://127.0.0.1:") + 17));
  Put(work_ + "/.git/hooks/reference-transaction", "#!/bin/sh\necho mine\n");
  testing::Output refused = ws_.Run({"hook", "install", "--repo", work_, "--token-file",
                                     dir_ + "/token", "--server",
                                     "http://127.0.0.1:" + std::to_string(port_)});
  EXPECT_EQ(refused.code, 1) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  testing::Output forced = ws_.Run({"hook", "install", "--repo", work_, "--token-file",
                                    dir_ + "/token", "--force", "--server",
                                    "http://127.0.0.1:" + std::to_string(port_)});
  ASSERT_EQ(forced.code, 0) << forced.err;
  Commit("version.txt", "2\n");
  const std::string head = Git("rev-parse HEAD");
  ASSERT_NE(ReadUntil("push refs/heads/main@" + head.substr(0, 12) + ": done (success)"), "")
      << seen_lines_;
  EXPECT_NE(testing::ReadFile(dir_ + "/seen").find("2 " + head + " main\n"), std::string::npos);
}

// `release: {schedule, when: green}` (docs/release.md): a slot that fires while the head
// has no green run is ignored with the reason; once a push has run the head green, the next
// slot releases it, and the release commit and tag land in the watched repository (the
// server's workspace is only a clone). Slots are made due by moving the stored last fire
// back, as a server down over them would find it.
TEST_F(ServerE2E, AScheduledReleaseWaitsForAGreenHeadThenTagsTheWatchedRepository) {
  Commit("version.txt", "1\n",
         "name: app\non:\n  push: {branches: [main]}\njobs:\n  test:\n    run: \"true\"\n"
         "release:\n  schedule: \"0 10 * * *\"\n  timezone: Europe/Berlin\n  quality: [test]\n");
  ASSERT_EQ(Sh("cd " + work_ + " && git -c user.name=A -c user.email=a@b commit -q --amend "
               "-m 'feat: greet the world'"),
            0);
  const std::string head = Push("main");
  const std::string at = "refs/heads/main@" + head.substr(0, 12) + ": ";
  auto make_due = [&] {
    server_.Stop();
    auto db = store::SqliteDb::Open(dir_ + "/state/server.db", /*readonly=*/false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE schedules SET last_fire_s = last_fire_s - 2 * 86400").ok());
  };
  StartServer();
  ASSERT_NE(ReadUntil("watching 1 schedule"), "") << seen_lines_;
  make_due();
  StartServer();
  std::string line = ReadUntil("queue 1: release " + at + "ignored");
  EXPECT_NE(line.find("has no run yet (when: green)"), std::string::npos) << seen_lines_;
  EXPECT_NE(Sh("git --git-dir " + origin_ + " rev-parse -q --verify refs/tags/v0.1.0 >/dev/null"),
            0);

  auto r = Hook("push", "d-1", PushBody("refs/heads/main", std::string(40, '0'), head));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  ASSERT_NE(ReadUntil("queue 2: push " + at + "done (success)"), "") << seen_lines_;
  make_due();
  StartServer();
  line = ReadUntil("queue 3: release " + at + "done");
  EXPECT_NE(line.find("(released v0.1.0)"), std::string::npos) << seen_lines_;
  const std::string git = "git --git-dir " + origin_ + " ";
  EXPECT_EQ(Sh(git + "rev-parse -q --verify refs/tags/v0.1.0 >/dev/null"), 0);
  EXPECT_EQ(Sh(git + "log -1 --format=%s main | grep -qx 'chore(release): v0.1.0'"), 0);
  EXPECT_EQ(Sh(git + "show main:CHANGELOG.md | grep -q 'greet the world'"), 0);
  EXPECT_EQ(Sh("test \"$(" + git + "rev-parse 'v0.1.0^{commit}')\" = \"$(" + git +
               "rev-parse main)\""),
            0)
      << "the tag is the release commit, pushed as the head of main";
}

// `gauntlet trigger --wait` follows its queue item with long polls until the run ends, and
// its exit code is the run's: 0 for a green run, 1 for a red one. A bad `wait` is a 400.
TEST_F(ServerE2E, TriggerWaitEndsWithTheRunAndItsExitCodeIsTheRuns) {
  auto pipeline = [&](const std::string& command) {
    return "name: app\non:\n  manual: {}\njobs:\n  check:\n    run: " + command + "\n";
  };
  Commit("version.txt", "1\n", pipeline("\"true\""));
  const std::string green = Push("main");
  Commit("version.txt", "2\n", pipeline("exit 3"));
  const std::string red = Push("red");
  const std::string fifo = dir_ + "/go";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Commit("version.txt", "3\n", pipeline("read line < " + fifo));
  Push("held");
  const std::string trigger = Token("t", "trigger");
  StartServer();
  const std::string server = "http://127.0.0.1:" + std::to_string(port_);
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"trigger", "--server", server, "--wait"});
    setenv("GAUNTLET_TOKEN", trigger.c_str(), 1);
    testing::Output o = ws_.Run(args);
    unsetenv("GAUNTLET_TOKEN");
    return o;
  };
  testing::Output ok = run({"--ref", "main"});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out, "queued 1: app refs/heads/main@" + green.substr(0, 12) +
                        "\nrun 1 started\nqueue 1: done (success)\n");
  testing::Output bad = run({"--ref", "red", "--json"});
  EXPECT_EQ(bad.code, 1) << bad.out << bad.err;
  json item = json::parse(bad.out, nullptr, false);
  ASSERT_TRUE(item.is_object()) << bad.out;
  EXPECT_EQ(item["id"], 2);
  EXPECT_EQ(item["state"], "done");
  EXPECT_EQ(item["reason"], "failed");
  EXPECT_EQ(item["commit"], red);
  EXPECT_EQ(item["run_id"], 2);
  for (const char* wait : {"0", "61", "x"}) {
    auto r = Client().Get(std::string("/api/v1/queue/1?wait=") + wait,
                          {{"Authorization", "Bearer " + trigger}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << wait;
  }
  auto r = Client().Get("/api/v1/queue/1?wait=60", {{"Authorization", "Bearer " + trigger}});
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["state"], "done") << "an ended item is answered at once";

  // A long poll on a run held on a FIFO answers when the run ends, not at its 60 s: the
  // client gives up after 30 s, so a poll that is not woken fails here.
  auto queued = Client().Post("/api/v1/runs", {{"Authorization", "Bearer " + trigger}},
                              R"({"ref": "held"})", "application/json");
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->status, 202) << queued->body;
  ASSERT_NE(ReadUntil("run 3 started"), "") << seen_lines_;
  std::string polled;  // the answer's body; empty when the poll failed or timed out
  std::thread poll([&] {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    auto r = c.Get("/api/v1/queue/3?wait=60", {{"Authorization", "Bearer " + trigger}});
    if (r && r->status == 200) polled = r->body;
  });
  // A short poll of its own, answered at its 1 s timeout with the run still held, gives the
  // long poll time to be waiting before the run is let go.
  auto held = Client().Get("/api/v1/queue/3?wait=1", {{"Authorization", "Bearer " + trigger}});
  ASSERT_TRUE(held);
  EXPECT_EQ(json::parse(held->body)["state"], "running") << held->body;
  std::ofstream(fifo) << "go\n";
  poll.join();
  ASSERT_NE(polled, "") << "the long poll was not answered when the run ended";
  EXPECT_EQ(json::parse(polled)["state"], "done") << polled;
}

// A pull_request webhook runs the pipeline at the pull request's head commit, on its
// branch, when `on.pull_request.branches` matches the base; the title (the author's words)
// is data in the job; a closed pull request and a base the file does not list run nothing.
TEST_F(ServerE2E, APullRequestWebhookRunsTheHeadWithItsTitleAsData) {
  const std::string pipeline =
      "name: app\non:\n  pull_request: {branches: [main]}\njobs:\n  check:\n"
      "    run: echo \"${{ event.pull_request.number }} ${{ event.pull_request.title }} "
      "${{ branch }} $(git rev-parse HEAD) ${{ event.sha }}\" >> " + dir_ + "/seen\n";
  Commit("version.txt", "1\n", pipeline);
  Push("main");
  Commit("feature.txt", "x\n", pipeline);
  const std::string head = Push("agent/parser");
  StartServer();
  const std::string title = "Fix $(touch " + dir_ + "/pwned) `id` the parser";
  auto body = [&](const std::string& action, const std::string& base) {
    return json{{"action", action},
                {"number", 7},
                {"pull_request",
                 {{"title", title},
                  {"user", {{"login", "agent-7"}}},
                  {"head", {{"ref", "agent/parser"}, {"sha", head}}},
                  {"base", {{"ref", base}}}}},
                {"repository", {{"name", "app"}}}}
        .dump();
  };
  // `on.pull_request.types` of the file decides; without it closing runs nothing.
  auto r = Hook("pull_request", "pr-1", body("closed", "main"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  EXPECT_NE(ReadUntil("queue 1: pull_request refs/heads/agent/parser@" + head.substr(0, 12) +
                      ": ignored (action 'closed' is not in on.pull_request.types (by default "
                      "opened, synchronize, reopened))"),
            "")
      << seen_lines_;
  r = Hook("pull_request", "pr-2", body("opened", "develop"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_NE(ReadUntil("queue 2: pull_request refs/heads/agent/parser@" + head.substr(0, 12) +
                      ": ignored (base branch 'develop' is not in on.pull_request.branches)"),
            "")
      << seen_lines_;
  r = Hook("pull_request", "pr-3", body("synchronize", "main"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_NE(ReadUntil("queue 3: pull_request refs/heads/agent/parser@" + head.substr(0, 12) +
                      ": done (success)"),
            "")
      << seen_lines_;
  EXPECT_EQ(testing::ReadFile(dir_ + "/seen"),
            "7 " + title + " agent/parser " + head + " " + head + "\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/pwned")) << "the title became shell code";
  r = Hook("pull_request", "pr-x", "{\"action\": \"opened\"}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
}

}  // namespace
}  // namespace gauntlet
