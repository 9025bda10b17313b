// End to end: deploy stages in a pipeline run, `cancel` during one, and secrets, against
// a real nginx and real backends (deploy_e2e.h).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <map>

#include "deploy_e2e.h"

namespace gauntlet {
namespace {

const char* kStageGraph =
    "stages:\n"
    "  - name: build\n"
    "    jobs:\n"
    "      - name: version\n"
    "        run: echo version=7 >> \"$GAUNTLET_OUTPUT\"\n"
    "  - name: ship\n"
    "    depends_on: [build]\n"
    "    environment: prod\n";

TEST_F(DeployE2E, APipelineDeployStageGoesThroughTheSameEngine) {
  WritePipeline("canary", "", kStageGraph);
  testing::Output o = Gauntlet({"run"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  nlohmann::json list = Deployments();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["version"], "7") << "the version output of the job the stage needs";
  EXPECT_EQ(list[0]["trigger"], "run 1, stage ship");
  EXPECT_EQ(list[0]["state"], "succeeded");
  EXPECT_TRUE(Serves(blue(), 100)) << Upstream();
}

// docs/deploy.md: cancelling the run does not interrupt a deployment in progress; the run
// ends once the deployment has finished.
TEST_F(DeployE2E, CancellingARunLetsItsDeploymentFinish) {
  WritePipeline("canary", "", kStageGraph);
  ASSERT_NO_FATAL_FAILURE(DeployFirst());
  auto client = ClientOn("1");
  deploy::testing::Child run;
  ASSERT_TRUE(run.Start({GAUNTLET_BINARY, "run", dir_ + "/gauntlet.yml"}));
  ASSERT_NE(ReadUntil(&run, "analysis of green"), "");
  testing::Output cancel = Gauntlet({"cancel"});
  EXPECT_EQ(cancel.code, 0) << cancel.out << cancel.err;
  // `cancel` returns once the engine has exited (cancelled: 130), after the deployment.
  const int st = run.TryWait();
  ASSERT_NE(st, -1) << "the engine still runs";
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 130);
  testing::Output status = Gauntlet({"status", "--json"});
  nlohmann::json r = nlohmann::json::parse(status.out, nullptr, false);
  ASSERT_TRUE(r.is_object()) << status.out << status.err;
  EXPECT_EQ(r["status"], "cancelled");
  std::map<std::string, std::string> jobs;
  for (const auto& j : r["jobs"]) jobs[j["name"]] = j["status"];
  EXPECT_EQ(jobs, (std::map<std::string, std::string>{{"version", "success"},
                                                       {"deploy: prod", "success"}}))
      << "the deploy stage finished its deployment: its own result";
  nlohmann::json d = Deployments()[0];
  EXPECT_EQ(d["version"], "7");
  EXPECT_EQ(d["state"], "succeeded") << d.dump();
  EXPECT_EQ(d["reason"], "");
  EXPECT_TRUE(Serves(green(), 100)) << Upstream();
  EXPECT_TRUE(client->WaitFor("7", seconds(10)));
  client->Stop();
  EXPECT_EQ(client->failed(), 0) << Why(*client);
}

// Every file under dir (the store, its WAL, logs), concatenated: where a leak would sit.
std::string AllBytesUnder(const fs::path& dir) {
  std::string all;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) all += testing::ReadFile(e.path());
  }
  return all;
}

TEST_F(DeployE2E, ASecretEchoedByAFailingDeployCommandIsMaskedEverywhere) {
  const std::string secret = "tok-9f8e7d6c5b";
  WritePipeline("canary", "    secrets: [DEPLOY_TOKEN]\n");
  ws_.Write("secrets.env", "DEPLOY_TOKEN=" + secret + "\n");
  // The command gets the secret (kept in a file to prove it), prints it and fails.
  ws_.Write("deploy.sh",
            "#!/bin/sh\nprintf '%s' \"$DEPLOY_TOKEN\" > got-token\n"
            "echo \"logging in with $DEPLOY_TOKEN\"\necho \"bad token $DEPLOY_TOKEN\" >&2\n"
            "exit 7\n");
  const std::string secrets = "--secrets-file=" + dir_ + "/secrets.env";
  testing::Output text = Gauntlet({"deploy", "prod", "--version", "1", secrets});
  EXPECT_EQ(text.code, 1) << text.out << text.err;
  EXPECT_EQ(testing::ReadFile(dir_ + "/got-token"), secret) << "the command got its secret";
  EXPECT_NE(text.out.find("deploy exited 7"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("***"), std::string::npos) << text.out;
  testing::Output json = Gauntlet({"deploy", "prod", "--version", "2", "--json", secrets});
  EXPECT_EQ(json.code, 1) << json.out << json.err;
  nlohmann::json d = nlohmann::json::parse(json.out, nullptr, false);
  EXPECT_NE(d["reason"].get<std::string>().find("logging in with ***"), std::string::npos)
      << d["reason"];
  testing::Output list = Gauntlet({"deployments", "prod", "-v"});
  testing::Output list_json = Gauntlet({"deployments", "prod", "-v", "--json"});
  EXPECT_NE(list.out.find("***"), std::string::npos) << list.out;
  for (const testing::Output* o : {&text, &json, &list, &list_json}) {
    EXPECT_EQ(o->out.find(secret), std::string::npos) << o->out;
    EXPECT_EQ(o->err.find(secret), std::string::npos) << o->err;
  }
  EXPECT_EQ(AllBytesUnder(dir_ + "/.gauntlet").find(secret), std::string::npos)
      << "the secret is in the store";
}

}  // namespace
}  // namespace gauntlet
