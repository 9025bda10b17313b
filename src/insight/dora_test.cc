#include "insight/dora.h"

#include <gtest/gtest.h>

namespace gauntlet::insight {
namespace {

constexpr int64_t kMin = 60 * 1000;
constexpr int64_t kDoraHour = 60 * kMin;
constexpr int64_t kDoraDay = 24 * kDoraHour;
constexpr int64_t kDoraT0 = 1'700'000'000'000;

store::DeploymentHistory Deploy(int64_t id, const std::string& version, const char* state,
                                int64_t started, int64_t finished, int64_t commit_ms,
                                const char* strategy = "canary") {
  store::DeploymentHistory d;
  d.id = id;
  d.environment = "production";
  d.version = version;
  d.strategy = strategy;
  d.state = state;
  d.git_commit = "c" + version;
  d.started_ms = started;
  d.finished_ms = finished;
  d.commit_ms = commit_ms;
  return d;
}

Window TenDays() { return Window{kDoraT0, kDoraT0 + 10 * kDoraDay, kDoraT0 - 10 * kDoraDay}; }

// The worked example of docs/insight.md ("DORA"): seven deployments to production in ten
// days, one rolled back, one blamed by a later incident and restored by `gauntlet rollback`.
std::vector<store::DeploymentHistory> DoraHistory() {
  return {
      Deploy(1, "v1", "succeeded", kDoraT0 + kDoraDay, kDoraT0 + kDoraDay + 10 * kMin,
             kDoraT0 + kDoraDay - 2 * kDoraHour),
      Deploy(2, "v2", "rolled_back", kDoraT0 + 2 * kDoraDay, kDoraT0 + 2 * kDoraDay + 5 * kMin,
             kDoraT0 + kDoraDay),
      Deploy(3, "v3", "succeeded", kDoraT0 + 2 * kDoraDay + kDoraHour,
             kDoraT0 + 2 * kDoraDay + kDoraHour + 10 * kMin, kDoraT0 + 2 * kDoraDay),
      Deploy(4, "v4", "succeeded", kDoraT0 + 5 * kDoraDay, kDoraT0 + 5 * kDoraDay + 10 * kMin,
             kDoraT0 + 3 * kDoraDay),
      Deploy(5, "v3", "succeeded", kDoraT0 + 5 * kDoraDay + 2 * kDoraHour + 5 * kMin,
             kDoraT0 + 5 * kDoraDay + 2 * kDoraHour + 20 * kMin, 0, "rollback"),
      Deploy(6, "v6", "succeeded", kDoraT0 + 8 * kDoraDay, kDoraT0 + 8 * kDoraDay + 10 * kMin, 0),
      // The commit is dated after the deployment (a clock off): a non-positive lead time.
      Deploy(7, "v7", "succeeded", kDoraT0 + 9 * kDoraDay, kDoraT0 + 9 * kDoraDay + 10 * kMin,
             kDoraT0 + 9 * kDoraDay + kDoraHour),
  };
}

std::vector<store::IncidentRecord> Incidents() {
  store::IncidentRecord rollback;  // what `gauntlet rollback` records for the release it leaves
  rollback.kind = "rollback";
  rollback.environment = "production";
  rollback.version = "v4";
  rollback.git_commit = "cv4";
  rollback.at_ms = kDoraT0 + 5 * kDoraDay + 2 * kDoraHour;
  return {rollback};
}

TEST(InsightDora, WorkedExample) {
  auto history = DoraHistory();
  // What the newest successful deployment (7) observed is the environment's; an older
  // one's (1) is not.
  for (auto& d : history) {
    if (d.id == 7) d.observed_p95_ms = 42;
    if (d.id == 1) d.observed_p99_ms = 99;
  }
  auto dora = ComputeDora(history, Incidents(), TenDays());
  ASSERT_EQ(dora.size(), 1u);
  const DoraEnvironment& e = dora[0];
  EXPECT_EQ(e.environment, "production");
  // Changes: 1, 2, 3, 4, 6, 7 (5 is a rollback, not a change).
  EXPECT_EQ(e.deployments, 6);
  EXPECT_EQ(e.succeeded, 5);  // 1, 3, 4, 6, 7
  EXPECT_DOUBLE_EQ(e.per_day, 0.5);
  EXPECT_EQ(e.frequency_band, "high");
  // Lead times: 1: 2h10m, 3: 1h10m, 4: 2d0h10m; 6 has no commit time; 7 is negative.
  // Sorted 1h10m, 2h10m, 2d0h10m: the median (rank 2) is 2h10m.
  EXPECT_EQ(e.lead_time_samples, 3);
  EXPECT_EQ(e.lead_time_ms, 2 * kDoraHour + 10 * kMin);
  EXPECT_EQ(e.lead_time_band, "elite");
  // Failed: 2 (rolled back) and 4 (blamed by the incident) of 6.
  EXPECT_EQ(e.failed_changes, 2);
  ASSERT_TRUE(e.change_failure_rate);
  EXPECT_DOUBLE_EQ(*e.change_failure_rate, 2.0 / 6.0);
  EXPECT_EQ(e.change_failure_band, "low");
  // Restores: 2 failed at 2d+5m, 3 good at 2d+1h10m: 65m. 4 failed at the incident,
  // 5d+2h; the rollback deployment 5 is good at 5d+2h20m: 20m. Median (rank 1 of 2): 20m.
  EXPECT_EQ(e.restores, 2);
  EXPECT_EQ(e.time_to_restore_ms, 20 * kMin);
  EXPECT_EQ(e.time_to_restore_band, "elite");
  EXPECT_EQ(e.unrestored, 0);
  EXPECT_EQ(e.latest_deployment, 7);
  EXPECT_EQ(e.observed_p95_ms, 42);
  EXPECT_FALSE(e.observed_p99_ms);
}

TEST(InsightDora, OutsideTheWindowAndStillFailing) {
  auto history = DoraHistory();
  // Before the window: not counted.
  history.push_back(
      Deploy(0, "v0", "failed", kDoraT0 - 2 * kDoraDay, kDoraT0 - 2 * kDoraDay + kMin, 0));
  // The last change fails and nothing good follows: counted, not restored.
  history.push_back(Deploy(8, "v8", "failed", kDoraT0 + 9 * kDoraDay + kDoraHour,
                           kDoraT0 + 9 * kDoraDay + 2 * kDoraHour, 0));
  // Still running: not finished, not counted.
  history.push_back(Deploy(9, "v9", "running", kDoraT0 + 9 * kDoraDay + 3 * kDoraHour, 0, 0));
  auto dora = ComputeDora(history, Incidents(), TenDays());
  ASSERT_EQ(dora.size(), 1u);
  EXPECT_EQ(dora[0].deployments, 7);
  EXPECT_EQ(dora[0].failed_changes, 3);
  EXPECT_EQ(dora[0].restores, 2);
  EXPECT_EQ(dora[0].unrestored, 1);
}

TEST(InsightDora, RevertIncidentBlamesTheDeployedCommitInEveryEnvironment) {
  auto history = DoraHistory();
  store::DeploymentHistory staging = history[5];  // v6 in staging too
  staging.id = 10;
  staging.environment = "staging";
  history.push_back(staging);
  auto incidents = Incidents();
  store::IncidentRecord revert;
  revert.kind = "revert";
  revert.git_commit = "cv6";
  revert.at_ms = kDoraT0 + 9 * kDoraDay + 5 * kDoraHour;
  incidents.push_back(revert);
  auto dora = ComputeDora(history, incidents, TenDays());
  ASSERT_EQ(dora.size(), 2u);
  EXPECT_EQ(dora[0].environment, "production");
  EXPECT_EQ(dora[0].failed_changes, 3);  // 2, 4 and now 6
  EXPECT_EQ(dora[1].environment, "staging");
  EXPECT_EQ(dora[1].deployments, 1);
  EXPECT_EQ(dora[1].failed_changes, 1);
  EXPECT_EQ(dora[1].unrestored, 1);
  EXPECT_FALSE(dora[1].time_to_restore_ms);
}

TEST(InsightDora, AnIncidentBeforeADeploymentDoesNotBlameIt) {
  auto incidents = Incidents();
  incidents[0].at_ms = kDoraT0 + 5 * kDoraDay - kDoraHour;  // before deployment 4 started
  auto dora = ComputeDora(DoraHistory(), incidents, TenDays());
  EXPECT_EQ(dora[0].failed_changes, 1);
}

TEST(InsightDora, BandsAtTheirBoundaries) {
  EXPECT_EQ(FrequencyBand(1.0), "elite");
  EXPECT_EQ(FrequencyBand(0.99), "high");
  EXPECT_EQ(FrequencyBand(1.0 / 7), "high");
  EXPECT_EQ(FrequencyBand(1.0 / 7 - 1e-9), "medium");
  EXPECT_EQ(FrequencyBand(1.0 / 30), "medium");
  EXPECT_EQ(FrequencyBand(1.0 / 30 - 1e-9), "low");
  EXPECT_EQ(FrequencyBand(0), "low");
  EXPECT_EQ(LeadTimeBand(kDoraDay - 1), "elite");
  EXPECT_EQ(LeadTimeBand(kDoraDay), "high");
  EXPECT_EQ(LeadTimeBand(7 * kDoraDay - 1), "high");
  EXPECT_EQ(LeadTimeBand(7 * kDoraDay), "medium");
  EXPECT_EQ(LeadTimeBand(30 * kDoraDay - 1), "medium");
  EXPECT_EQ(LeadTimeBand(30 * kDoraDay), "low");
  EXPECT_EQ(ChangeFailureBand(0), "elite");
  EXPECT_EQ(ChangeFailureBand(0.05), "elite");
  EXPECT_EQ(ChangeFailureBand(0.0501), "high");
  EXPECT_EQ(ChangeFailureBand(0.10), "high");
  EXPECT_EQ(ChangeFailureBand(0.1001), "medium");
  EXPECT_EQ(ChangeFailureBand(0.15), "medium");
  EXPECT_EQ(ChangeFailureBand(0.1501), "low");
  EXPECT_EQ(RestoreBand(kDoraHour - 1), "elite");
  EXPECT_EQ(RestoreBand(kDoraHour), "high");
  EXPECT_EQ(RestoreBand(kDoraDay - 1), "high");
  EXPECT_EQ(RestoreBand(kDoraDay), "medium");
  EXPECT_EQ(RestoreBand(7 * kDoraDay - 1), "medium");
  EXPECT_EQ(RestoreBand(7 * kDoraDay), "low");
}

}  // namespace
}  // namespace gauntlet::insight
