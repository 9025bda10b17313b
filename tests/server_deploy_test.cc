// Deployments acted on through the API, end to end: the real `gauntlet serve`, a real
// bare repository, real HTTP, real deploy stages (a recreate deployment whose health check
// is a command: no nginx needed) that pause for a person (rollback_on_failure: false), then
// POST /api/v1/deployments/ID/promote|abort|rollback and the events they publish.
#include <gtest/gtest.h>

#include <cstdio>

#include "server_e2e.h"

namespace gauntlet::server_testing {
namespace {

// A deploy stage whose health check passes only while DIR/healthy exists; a failure
// pauses the deployment (rollback_on_failure: false) instead of rolling it back. While
// DIR/slow exists, the `version` job holds on the FIFO DIR/hold after saying so in
// DIR/reached (cli_test_util.h's kHoldSteps).
std::string PausingPipeline(const std::string& dir) {
  return "name: app\non: push\nstages:\n"
         "  - name: build\n    jobs:\n"
         "      - name: version\n        run: |\n"
         "          if test -e " + dir + "/slow; then\n"
         "            exec 3<>" + dir + "/hold; echo started > " + dir + "/reached; read -r go <&3\n"
         "          fi\n"
         "          echo \"building version $(cat version.txt)\"\n"
         "          echo version=$(cat version.txt) >> \"$GAUNTLET_OUTPUT\"\n"
         "  - name: ship\n    depends_on: [build]\n    environment: prod\n"
         "    rollback_on_failure: false\n"
         "environments:\n  prod:\n    strategy: recreate\n"
         "    instances: [{name: one, address: \"127.0.0.1:1\"}]\n"
         "    deploy: echo ${{ release.version }} >> " + dir + "/deployed\n"
         "    health: {type: command, command: \"test -e " + dir +
         "/healthy\", period: 50ms, failure_threshold: 1}\n";
}

class ServerDeployE2E : public ServerE2E {
 protected:
  // Commits version `v`, pushes it to main through the webhook and waits for its item.
  json PushVersion(const std::string& v, const std::string& before) {
    Commit("version.txt", v + "\n", PausingPipeline(dir_));
    const std::string head = Push("main");
    auto r = Hook("push", "d-" + v, PushBody("refs/heads/main", before, head));
    EXPECT_TRUE(r && r->status == 202) << (r ? r->body : "no answer");
    return r ? WaitItem(json::parse(r->body)["queued"].get<int64_t>()) : json();
  }
  // The queue item once it has ended.
  json WaitItem(int64_t id) {
    for (int i = 0; i < 5; ++i) {
      auto r = Client().Get("/api/v1/queue/" + std::to_string(id) + "?wait=60", as_reader());
      if (!r || r->status != 200) return json();
      json item = json::parse(r->body);
      if (item["state"] != "queued" && item["state"] != "running") return item;
    }
    return json();
  }
  json Deployment(int64_t id) {
    auto r = Client().Get("/api/v1/deployments/" + std::to_string(id), as_reader());
    return r && r->status == 200 ? json::parse(r->body) : json();
  }
  httplib::Result Act(int64_t id, const std::string& action, const std::string& token,
                      const std::string& body = "") {
    return Client().Post("/api/v1/deployments/" + std::to_string(id) + "/" + action,
                         {{"Authorization", "Bearer " + token}}, body, "application/json");
  }
  httplib::Headers as_reader() { return {{"Authorization", "Bearer " + reader_}}; }

  std::string reader_;
};

TEST_F(ServerDeployE2E, PromoteAbortAndRollbackThroughTheApi) {
  reader_ = Token("r", "read");
  const std::string deployer = Token("d", "deploy"), trigger = Token("t", "trigger");
  StartServer();
  Put(dir_ + "/healthy", "");
  const std::string zero(40, '0');
  json first = PushVersion("1", zero);
  ASSERT_EQ(first["reason"], "success") << first.dump() << seen_lines_;
  std::string before = Git("rev-parse HEAD");
  std::remove((dir_ + "/healthy").c_str());
  json second = PushVersion("2", before);
  ASSERT_EQ(second["reason"], "failed") << second.dump();
  json paused = Deployment(2);
  ASSERT_EQ(paused["state"], "paused") << paused.dump();
  EXPECT_EQ(paused["version"], "2");

  // Scope deploy; a known deployment; a state where the action makes sense.
  EXPECT_EQ(Client().Post("/api/v1/deployments/2/promote", "", "application/json")->status, 401);
  EXPECT_EQ(Act(2, "promote", trigger)->status, 403);
  EXPECT_EQ(Act(99, "promote", deployer)->status, 404);
  EXPECT_EQ(Act(2, "promote", deployer, "[1]")->status, 400);
  EXPECT_EQ(Act(2, "promote", deployer, R"({"to": "1"})")->status, 400);
  auto ended = Act(1, "promote", deployer);
  EXPECT_EQ(ended->status, 409);
  EXPECT_NE(ended->body.find("has ended (succeeded): only a paused deployment can be promoted"),
            std::string::npos)
      << ended->body;
  auto paused_rollback = Act(2, "rollback", deployer);
  EXPECT_EQ(paused_rollback->status, 409);
  EXPECT_NE(paused_rollback->body.find("is paused: abort it"), std::string::npos)
      << paused_rollback->body;
  EXPECT_EQ(Act(1, "abort", deployer)->status, 409);

  // Promote: the failed health check runs again, and now passes.
  Stream events(port_, "/api/v1/events?after=0", reader_);
  std::shared_ptr<void> stop_first(nullptr, [&](void*) {
    server_.Stop();  // ends the stream, so it can be joined
    events.Join();
  });
  Put(dir_ + "/healthy", "");
  auto promote = Act(2, "promote", deployer);
  ASSERT_TRUE(promote);
  ASSERT_EQ(promote->status, 202) << promote->body;
  json asked = json::parse(promote->body);
  EXPECT_EQ(asked["deployment"], 2);
  EXPECT_EQ(asked["action"], "promote");
  EXPECT_EQ(asked["environment"], "prod");
  EXPECT_EQ(asked["pipeline"], "gauntlet.yml");
  json done = WaitItem(asked["queued"].get<int64_t>());
  EXPECT_EQ(done["state"], "done") << done.dump();
  EXPECT_EQ(done["event"], "deployment");
  EXPECT_EQ(Deployment(2)["state"], "succeeded") << Deployment(2).dump();

  // Rollback: only the current release; back to version 1, a new deployment.
  EXPECT_EQ(Act(1, "rollback", deployer)->status, 409);
  auto rollback = Act(2, "rollback", deployer);
  ASSERT_EQ(rollback->status, 202) << rollback->body;
  done = WaitItem(json::parse(rollback->body)["queued"].get<int64_t>());
  EXPECT_EQ(done["state"], "done") << done.dump();
  json back = Deployment(3);
  EXPECT_EQ(back["state"], "succeeded") << back.dump();
  EXPECT_EQ(back["version"], "1");
  EXPECT_EQ(back["strategy"], "rollback");
  EXPECT_EQ(back["trigger"], "rollback through the API (token d)");
  std::string deployed = testing::ReadFile(dir_ + "/deployed");
  EXPECT_TRUE(deployed.ends_with("\n1\n")) << deployed;

  // Abort: a paused deployment rolls back.
  std::remove((dir_ + "/healthy").c_str());
  before = Git("rev-parse HEAD");
  ASSERT_EQ(PushVersion("3", before)["reason"], "failed");
  ASSERT_EQ(Deployment(4)["state"], "paused") << Deployment(4).dump();
  Put(dir_ + "/healthy", "");
  auto abort = Act(4, "abort", deployer);
  ASSERT_EQ(abort->status, 202) << abort->body;
  done = WaitItem(json::parse(abort->body)["queued"].get<int64_t>());
  EXPECT_EQ(done["state"], "done") << done.dump();
  EXPECT_NE(done["reason"].get<std::string>().find("deployment 4 rolled_back: aborted by a person"),
            std::string::npos)
      << done.dump();
  EXPECT_EQ(Deployment(4)["state"], "rolled_back");
  auto again = Act(4, "abort", deployer);
  EXPECT_EQ(again->status, 409);
  EXPECT_NE(again->body.find("has ended (rolled_back): nothing to abort"), std::string::npos)
      << again->body;

  // Each action's steps and end on the event stream.
  const std::string text = events.WaitFor(
      R"("requested_for":4,"run_id":0,"status":"rolled_back","what":"finished")");
  // In the order they happened: the promote (deployment 2 finished), the rollback (as
  // deployment 3), the abort of deployment 4 (rolled back).
  size_t at = 0;
  for (const std::string mark :
       {R"("action":"promote")", R"("deployment":2,"pipeline":"gauntlet.yml","queue":)",
        R"("requested_for":2,"run_id":0,"status":"succeeded","what":"finished")",
        R"("action":"rollback","at_ms")", R"("deployment":3,"pipeline":"gauntlet.yml")",
        R"("action":"abort")",
        R"("requested_for":4,"run_id":0,"status":"rolled_back","what":"finished")"}) {
    const size_t found = text.find(mark, at);
    ASSERT_NE(found, std::string::npos) << mark << " missing or out of order in\n" << text;
    at = found + mark.size();
  }
}

// The CLI as a client (--server, --token-file): deployments, promote, abort, rollback,
// retry, logs [-f] and cancel act on the server's repository and print what they print
// on the same history locally; a token without the scope, or a state the server refuses,
// is a clear message and a non-zero exit.
TEST_F(ServerDeployE2E, TheCliActsOnTheServersHistory) {
  reader_ = Token("r", "read");
  ws_.Write("reader-token", reader_ + "\n");
  ws_.Write("deploy-token", Token("d", "deploy") + "\n");
  StartServer();
  const std::string server = "http://127.0.0.1:" + std::to_string(port_);
  const std::string history = dir_ + "/state/repos/app";
  auto remote = [&](std::vector<std::string> args, const std::string& token) {
    for (const std::string& a : {std::string("--server"), server, std::string("--token-file"),
                                 (ws_.dir() / token).string()})
      args.push_back(a);
    return ws_.Run(args);
  };
  auto local = [&](std::vector<std::string> args) {
    args.push_back("--state-dir");
    args.push_back(history);
    return ws_.Run(args);
  };
  // Run 1 fails: its deployment pauses (no healthy instance).
  ASSERT_EQ(PushVersion("1", std::string(40, '0'))["reason"], "failed") << seen_lines_;
  testing::Output refused = remote({"promote", "prod"}, "reader-token");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("the server refused (403): token 'r' has scope read; this needs deploy"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(remote({"promote", "prod", "--state-dir", history}, "deploy-token").code, 2);
  testing::Output nothing = remote({"rollback", "prod", "--json"}, "deploy-token");
  EXPECT_EQ(nothing.code, 1);
  EXPECT_NE(nothing.out.find("has no successful release"), std::string::npos) << nothing.out;

  Put(dir_ + "/healthy", "");
  testing::Output promoted = remote({"promote", "prod"}, "deploy-token");
  EXPECT_EQ(promoted.code, 0) << promoted.out << promoted.err;
  EXPECT_NE(promoted.out.find("deployment 1: succeeded\n"), std::string::npos) << promoted.out;
  EXPECT_EQ(Deployment(1)["state"], "succeeded");
  testing::Output again = remote({"promote", "prod", "--json"}, "deploy-token");
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("(409): deployment 1 of prod (version 1) has ended (succeeded)"),
            std::string::npos)
      << again.err;

  // Retry run 1 on the server: the deploy stage deploys version 1 again (deployment 2).
  testing::Output retried = remote({"retry", "1"}, "deploy-token");
  EXPECT_EQ(retried.code, 0) << retried.out << retried.err;
  EXPECT_NE(retried.out.find("retrying run 1 on the server: queue "), std::string::npos)
      << retried.out;
  EXPECT_NE(retried.out.find("run 2 started\nrun 2: success\n"), std::string::npos)
      << retried.out;
  EXPECT_EQ(remote({"retry", "2"}, "deploy-token").code, 1) << "it succeeded: 409";

  // The same text and JSON as the local commands on the same history.
  const std::vector<std::vector<std::string>> same = {
      {"deployments"}, {"deployments", "--json"}, {"deployments", "prod", "-v"},
      {"deployments", "-v", "--json"}, {"logs", "1"}, {"logs", "1", "--json"},
      {"logs", "2", "--json"}, {"logs", "1", "version", "-f"}};
  for (const std::vector<std::string>& args : same) {
    testing::Output there = remote(args, "reader-token"), here = local(args);
    EXPECT_EQ(there.code, 0) << args[0] << ": " << there.err;
    EXPECT_EQ(there.out, here.out) << args[0] << " " << args.back();
    EXPECT_FALSE(there.out.empty()) << args[0] << " " << args.back();
  }
  EXPECT_EQ(remote({"logs", "1", "nope"}, "reader-token").code, 3);

  // Abort of a paused deployment (3), its progress lines on stderr under --json.
  std::remove((dir_ + "/healthy").c_str());
  ASSERT_EQ(PushVersion("2", Git("rev-parse HEAD"))["reason"], "failed");
  Put(dir_ + "/healthy", "");  // the rollback's redeploy of version 1 is health-checked
  testing::Output aborted = remote({"abort", "prod", "--json"}, "deploy-token");
  EXPECT_EQ(aborted.code, 0) << aborted.out << aborted.err;
  json d = json::parse(aborted.out, nullptr, false);
  EXPECT_EQ(d["state"], "rolled_back") << aborted.out;
  EXPECT_EQ(d["reason"], "aborted by a person") << aborted.out;
  EXPECT_FALSE(d.contains("repo")) << "the local view's fields only";
  EXPECT_NE(aborted.err.find("deployment 3: rolled_back - aborted by a person"),
            std::string::npos)
      << aborted.err;

  // Cancel: refused for a run that ended; a live run is cancelled and awaited.
  testing::Output ended = remote({"cancel", "1"}, "deploy-token");
  EXPECT_EQ(ended.code, 1);
  EXPECT_NE(ended.err.find("(409): run 1 is not running"), std::string::npos) << ended.err;
  testing::MakeHold(dir_);
  testing::Signal reached(dir_ + "/reached");
  Put(dir_ + "/slow", "");
  Commit("version.txt", "3\n", PausingPipeline(dir_));
  const std::string head = Push("main");
  ASSERT_EQ(Hook("push", "d-3", PushBody("refs/heads/main", Git("rev-parse HEAD~1"), head))->status,
            202);
  ASSERT_EQ(reached.Wait(), "started");
  testing::Output cancelled = remote({"cancel"}, "deploy-token");
  EXPECT_EQ(cancelled.code, 0) << cancelled.out << cancelled.err;
  EXPECT_NE(cancelled.out.find("run 4: cancelled"), std::string::npos) << cancelled.out;
}

}  // namespace
}  // namespace gauntlet::server_testing
