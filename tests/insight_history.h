// A synthetic run and deployment history with answers worked out by hand, written through
// the real SqliteStore as `gauntlet run` and `gauntlet deploy` write it. Used by the
// insight tests of the library (tests/insight_history_test.cc) and of the binary.
//
// Pipeline "app": build (0), unit (1, needs build), lint (2), package (3, needs unit and
// lint), laid out as they would run with two slots:
//   build  [S, S+B)   unit [S+B, S+B+U)   package [S+B+U, S+B+U+10)
//   lint   ready at S, started S+20 (waited 20 ms for a slot), took 50 ms
// Runs, `now` = N, D = one day:
//   run 0  commit c0, N-35D (previous window): B 200, U 1000: 1210 ms
//   runs 1..5  commit c1..c5, N-(10-k)D: B 100 200 300 400 500, U 1000 except run 2:
//          1400 (a failed first attempt of 400 ms, passed on the retry): 1110 1610 1310
//          1410 1510 ms
//   run 6  commit c5 again, failed: lint failed where run 5 passed, package skipped.
// Commits were made one hour before their run. Deployments of "prod" (started, finished):
//   d1 c1 N-8D   +10m succeeded      d2 c2 N-7D +10m rolled back
//   d3 c3 N-6D   +30m succeeded      d4 c4 N-5D +10m succeeded, incident at +1h
//   d5 c5 N-4D   +10m succeeded
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace gauntlet::testing {

inline constexpr int64_t kHourMs = 3600 * 1000;
inline constexpr int64_t kDayMs = 24 * kHourMs;
inline constexpr int64_t kMinuteMs = 60 * 1000;

class InsightHistory {
 public:
  InsightHistory(store::Store& s, int64_t now) : s_(s), now_(now) {}

  void Write() {
    AddRun(0, "c0", now_ - 35 * kDayMs, 200, 1000, false);
    const int64_t builds[] = {100, 200, 300, 400, 500};
    for (int k = 1; k <= 5; ++k) {
      AddRun(k, "c" + std::to_string(k), now_ - (10 - k) * kDayMs, builds[k - 1],
             k == 2 ? 1400 : 1000, false);
    }
    AddRun(6, "c5", now_ - 5 * kDayMs + kHourMs, 500, 1000, true);
    Deploy("c1", now_ - 8 * kDayMs, 10 * kMinuteMs, store::kDeploySucceeded);
    Deploy("c2", now_ - 7 * kDayMs, 10 * kMinuteMs, store::kDeployRolledBack);
    Deploy("c3", now_ - 6 * kDayMs, 30 * kMinuteMs, store::kDeploySucceeded);
    Deploy("c4", now_ - 5 * kDayMs, 10 * kMinuteMs, store::kDeploySucceeded);
    store::IncidentRecord incident;
    incident.kind = "rollback";
    incident.git_commit = "c4";
    incident.environment = "prod";
    incident.version = "v-c4";
    incident.detail = "error rate 12% > 2x baseline";
    incident.at_ms = now_ - 5 * kDayMs + kHourMs;
    ASSERT_TRUE(s_.RecordIncident(incident).ok());
    Deploy("c5", now_ - 4 * kDayMs, 10 * kMinuteMs, store::kDeploySucceeded);
  }

  std::vector<store::RunId> runs;  // by the numbers above

 private:
  void Job(store::RunId run, int index, const char* name, store::JobStatus status, int64_t ready,
           int64_t start, int64_t ms, int attempts = 1) {
    store::JobRecord j;
    j.run_id = run;
    j.index = index;
    j.name = name;
    j.status = status;
    j.ready_ms = ready;
    j.started_ms = start;
    j.finished_ms = start > 0 ? start + ms : 0;
    j.attempts = attempts;
    ASSERT_TRUE(s_.UpsertJob(j).ok());
  }

  void AddRun(int number, const std::string& commit, int64_t start, int64_t build, int64_t unit,
              bool lint_fails) {
    store::RunRecord r;
    r.pipeline = "app";
    r.file = "gauntlet.yml";
    r.status = lint_fails ? store::RunStatus::kFailed : store::RunStatus::kSuccess;
    r.started_ms = start;
    r.finished_ms = start + build + unit + (lint_fails ? 0 : 10);
    r.git_commit = commit;
    r.git_branch = "main";
    r.commit_ms = start - kHourMs;
    r.slots = 2;
    r.needs = "[[],[0],[],[1,2]]";
    auto id = s_.CreateRun(r);
    ASSERT_TRUE(id.ok()) << id.error().message;
    runs.push_back(*id);
    using store::JobStatus;
    Job(*id, 0, "build", JobStatus::kSuccess, start, start, build);
    const int64_t u = start + build;
    Job(*id, 1, "unit", JobStatus::kSuccess, u, u, unit, unit == 1400 ? 2 : 1);
    if (unit == 1400) {
      store::AttemptRecord a;
      a.run_id = *id;
      a.job_index = 1;
      a.number = 1;
      a.exit_code = 1;
      a.wall_ms = 400;
      a.started_ms = u;
      a.finished_ms = u + 400;
      ASSERT_TRUE(s_.AttemptFinished(a).ok());
      a.number = 2;
      a.exit_code = 0;
      a.wall_ms = 1000;
      a.started_ms = u + 400;
      a.finished_ms = u + 1400;
      ASSERT_TRUE(s_.AttemptFinished(a).ok());
    }
    Job(*id, 2, "lint", lint_fails ? JobStatus::kFailed : JobStatus::kSuccess, start, start + 20,
        50);
    if (lint_fails) {
      Job(*id, 3, "package", JobStatus::kSkipped, 0, 0, 0, 0);
    } else {
      Job(*id, 3, "package", JobStatus::kSuccess, u + unit, u + unit, 10);
    }
  }

  void Deploy(const std::string& commit, int64_t start, int64_t took, const char* state) {
    store::DeploymentRecord d;
    d.environment = "prod";
    d.version = "v-" + commit;
    d.strategy = "canary";
    d.git_commit = commit;
    d.started_ms = start;
    auto started = s_.StartDeployment(d);
    ASSERT_TRUE(started.ok()) << started.error().message;
    ASSERT_FALSE(started->holder);
    d.id = started->id;
    d.state = state;
    d.finished_ms = start + took;
    // What the probe saw: numbers told apart by deployment (its start), kept to the
    // microsecond as the probe measures.
    d.observed_requests = 400;
    d.observed_errors = 2;
    d.observed_p50_ms = 3.125;
    d.observed_p95_ms = 7.5 + static_cast<double>(start % 1000) / 1000;
    d.observed_p99_ms = 12.25;
    ASSERT_TRUE(s_.UpdateDeployment(d).ok());
  }

  store::Store& s_;
  int64_t now_;
};

}  // namespace gauntlet::testing
