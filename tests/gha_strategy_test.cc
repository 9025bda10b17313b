// A workflow matrix's strategy (docs/github-actions.md, "Jobs"), end to end with real
// processes: fail-fast cancels the other combinations of the matrix that failed (not
// other jobs, not when the failing one continues on error), and max-parallel bounds how
// many combinations run at once. The jobs wait at a gate the test holds (`flock -s`), so
// nothing depends on timing.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Events;
using testing::Gate;
using testing::ReadFile;
using testing::Workspace;
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string StrategyInstall(Workspace& ws, const std::string& name) {
  fs::path from = fs::path(GAUNTLET_SOURCE_DIR) / "tests" / "fixtures" / "gha" / name;
  ws.Write(".github/workflows/" + name, ReadFile(from));
  return ".github/workflows/" + name;
}

std::map<std::string, json> StrategyJobs(Workspace& ws) {
  auto status = ws.Run({"status", "--json"});
  EXPECT_EQ(status.code, 0) << status.err;
  std::map<std::string, json> out;
  json j = json::parse(status.out, nullptr, false);
  if (j.is_object())
    for (const json& job : j["jobs"]) out[job["name"]] = job;
  return out;
}

std::string StrategyLogs(Workspace& ws, const std::string& job) {
  auto r = ws.Run({"logs", job});
  EXPECT_EQ(r.code, 0) << r.err;
  return r.out;
}

TEST(GhaStrategyTest, FailFastCancelsTheOtherCombinationsOfItsMatrixOnly) {
  Workspace ws;
  const std::string file = StrategyInstall(ws, "strategy.yml");
  Gate gate(ws.dir() / "gate");
  int out_fd = -1;
  pid_t pid = testing::SpawnGauntletPiped({"run", file, "-j", "8"}, ws.dir(), &out_fd,
                                          ws.dir() / ".run.err");
  ASSERT_GT(pid, 0);
  // The two other combinations of `legs` are cancelled while they wait at the gate;
  // `tolerant (leg=nightly)` fails without cancelling its sibling.
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (const char* event : {"cancelled legs (leg=b): legs (leg=fail) failed (fail-fast)",
                            "cancelled legs (leg=c)", "failed (continuing) tolerant (leg=nightly"})
    EXPECT_TRUE(testing::ReadUntil(out_fd, &out, event, deadline)) << event << "\n" << out;
  gate.Open();  // now `other` and `tolerant (leg=stable)` may finish
  std::string rest;
  testing::ReadUntil(out_fd, &rest, "\n\n<never>", deadline);  // to EOF
  close(out_fd);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 1) << out << rest;  // `legs` failed

  auto jobs = StrategyJobs(ws);
  EXPECT_EQ(jobs["legs (leg=fail)"]["status"], "failed");
  EXPECT_EQ(jobs["legs (leg=b)"]["status"], "cancelled");
  EXPECT_EQ(jobs["legs (leg=c)"]["status"], "cancelled");
  EXPECT_EQ(jobs["tolerant (leg=stable)"]["status"], "success");
  EXPECT_EQ(jobs["other"]["status"], "success");
  EXPECT_THAT(StrategyLogs(ws, "other"), HasSubstr("other passed the gate"));
  EXPECT_THAT(StrategyLogs(ws, "tolerant (leg=stable)"), HasSubstr("stable passed the gate"));
  // Dependents see the matrix fail, not a cancelled run: failure() is true for them.
  EXPECT_EQ(jobs["report"]["status"], "success");
  EXPECT_THAT(StrategyLogs(ws, "report"), HasSubstr("legs ended failure"));
  EXPECT_EQ(jobs["ship"]["status"], "skipped");
}

TEST(GhaStrategyTest, FailFastFalseLetsTheOtherCombinationsFinish) {
  Workspace ws;
  std::string text = ReadFile(fs::path(GAUNTLET_SOURCE_DIR) / "tests" / "fixtures" / "gha" /
                              "strategy.yml");
  // The same matrix with fail-fast: false; the gate is open.
  const std::string strategy = "    strategy:\n";
  size_t at = text.find(strategy + "      matrix:\n        leg: [fail");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + strategy.size(), "      fail-fast: false\n");
  ws.Write(".github/workflows/strategy.yml", text);
  auto r = ws.Run({"run", ".github/workflows/strategy.yml", "-j", "8", "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  auto statuses = testing::JobStatuses(r);
  EXPECT_EQ(statuses["legs (leg=fail)"], "failed");
  EXPECT_EQ(statuses["legs (leg=b)"], "success");
  EXPECT_EQ(statuses["legs (leg=c)"], "success");
}

// The same count from the engine's side: its "start" and finish lines, in order.
int MostStartedAtOnce(const std::string& progress) {
  int now = 0, most = 0;
  std::istringstream in(progress);
  for (std::string line; std::getline(in, line);) {
    if (line.find("legs (leg=") == std::string::npos) continue;
    now += line.rfind("start ", 0) == 0 ? 1 : line.rfind("ok ", 0) == 0 ? -1 : 0;
    most = std::max(most, now);
  }
  return most;
}

TEST(GhaStrategyTest, MaxParallelRunsAtMostThatManyCombinationsAtOnce) {
  Workspace ws;
  const std::string file = StrategyInstall(ws, "max_parallel.yml");
  Events events(ws.dir() / "events");
  Gate gate(ws.dir() / "gate");
  pid_t pid = ws.Start({"run", file, "-j", "8"});
  // Two have started; the others may not until one of them ends, which the gate stops.
  ASSERT_TRUE(events.WaitFor("start ", 2, std::chrono::seconds(30))) << events.text();
  gate.Open();
  auto r = ws.Wait(pid);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  events.Drain();
  EXPECT_EQ(events.Count("end "), 4) << events.text();
  EXPECT_EQ(events.MostAtOnce(), 2) << events.text();
  EXPECT_EQ(MostStartedAtOnce(r.out), 2) << r.out;
  EXPECT_THAT(StrategyLogs(ws, "legs (leg=3)"), HasSubstr("max-parallel 2 fail-fast true"));

  auto plan = ws.Run({"plan", file, "--json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  json group = json::parse(plan.out)["jobs"][0]["group"];
  EXPECT_EQ(group["max_parallel"], 2);
  EXPECT_EQ(group["fail_fast"], true);
  EXPECT_EQ(group["jobs"], 4);
}

}  // namespace
}  // namespace gauntlet
