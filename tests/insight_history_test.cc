// `gauntlet insight` over a synthetic history whose answers were worked out by hand
// (tests/insight_history.h): through the library against a real SqliteStore, and through
// the real binary (--json, text, bad flags).
#include "insight_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "insight/insight.h"
#include "insight/report_json.h"
#include "store/sqlite_store.h"

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr int64_t kInsightNow = 1'800'000'000'000;

class InsightHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "gauntlet-insight-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = store::SqliteStore::Open((dir_ / ".gauntlet" / "state.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s.value());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // The report as JSON, the form every output is made from.
  Json Report(int64_t now, insight::Options opt = {}) {
    opt.now = now;
    auto r = insight::BuildReport(*store_, opt);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? insight::ReportJson(*r) : Json();
  }

  Json Job(const Json& pipeline, const std::string& name) {
    for (const Json& j : pipeline["jobs"]) {
      if (j["name"] == name) return j;
    }
    ADD_FAILURE() << "no job " << name;
    return Json();
  }

  fs::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

// The figures the header works out; shared by the library and the binary tests.
void ExpectHandComputed(const Json& r, store::RunId median_run) {
  ASSERT_EQ(r["pipelines"].size(), 1u) << r.dump(2);
  const Json& p = r["pipelines"][0];
  EXPECT_EQ(p["runs"], 6);
  EXPECT_EQ(p["succeeded"], 5);
  EXPECT_EQ(p["failed"], 1);
  // Successful runs 1110 1310 1410 1510 1610: nearest rank 3 of 5, 5 of 5, 5 of 5.
  EXPECT_EQ(p["duration_ms"]["count"], 5);
  EXPECT_EQ(p["duration_ms"]["p50"], 1410);
  EXPECT_EQ(p["duration_ms"]["p95"], 1610);
  EXPECT_EQ(p["duration_ms"]["p99"], 1610);
  EXPECT_EQ(p["previous_p50_ms"], 1210);
  EXPECT_DOUBLE_EQ(p["trend"].get<double>(), 1410.0 / 1210.0 - 1);
  EXPECT_EQ(p["slots"], 2);

  // The median run is run 4: build 400 -> unit 1000 -> package 10. Without build the
  // longest chain is unit -> package (1010): it saves 400; without unit, build ->
  // package (410) still beats lint -> package (60): it saves 1000.
  const Json& path = p["critical_path"];
  EXPECT_EQ(path["run"], median_run);
  EXPECT_EQ(path["length_ms"], 1410);
  ASSERT_EQ(path["jobs"].size(), 3u);
  const char* names[] = {"build", "unit", "package"};
  const int64_t zero[] = {400, 1000, 10}, halved[] = {200, 500, 5};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(path["jobs"][i]["name"], names[i]);
    EXPECT_EQ(path["jobs"][i]["shrink_if_zero_ms"], zero[i]) << names[i];
    EXPECT_EQ(path["jobs"][i]["shrink_if_halved_ms"], halved[i]) << names[i];
  }

  // Jobs by name. build: 100 200 300 400 500 500 -> p50 rank 3 = 300, p95 rank 6 = 500;
  // previous window 200, so +50%.
  ASSERT_EQ(p["jobs"].size(), 4u);
  const Json& build = p["jobs"][0];
  EXPECT_EQ(build["name"], "build");
  EXPECT_EQ(build["duration_ms"]["p50"], 300);
  EXPECT_EQ(build["duration_ms"]["p95"], 500);
  EXPECT_DOUBLE_EQ(build["trend"].get<double>(), 0.5);
  EXPECT_EQ(build["critical_runs"], 5);
  const Json& lint = p["jobs"][1];
  EXPECT_EQ(lint["name"], "lint");
  EXPECT_EQ(lint["failed"], 1);
  EXPECT_DOUBLE_EQ(lint["success_rate"].get<double>(), 5.0 / 6);
  EXPECT_EQ(lint["wait_ms"]["mean"], 20);
  EXPECT_EQ(lint["critical_runs"], 0);
  const Json& package = p["jobs"][2];
  EXPECT_EQ(package["skipped"], 1);
  EXPECT_EQ(package["wait_ms"]["mean"], 0);
  const Json& unit = p["jobs"][3];
  EXPECT_EQ(unit["name"], "unit");
  EXPECT_EQ(unit["duration_ms"]["p50"], 1000);  // 1000 x5 and 1400
  EXPECT_EQ(unit["duration_ms"]["p99"], 1400);
  EXPECT_EQ(unit["retries"], 1);

  // Both flaky jobs: 1 of 6 executions each; the worse cost (unit's 400 ms failed
  // attempt against lint's 50 ms failure) first.
  ASSERT_EQ(r["flaky"].size(), 2u) << r["flaky"].dump(2);
  EXPECT_EQ(r["flaky"][0]["job"], "unit");
  EXPECT_EQ(r["flaky"][0]["passed_on_retry"], 1);
  EXPECT_EQ(r["flaky"][0]["failed_on_passing_inputs"], 0);
  EXPECT_EQ(r["flaky"][0]["cost_ms"], 400);
  EXPECT_EQ(r["flaky"][0]["executions"], 6);
  EXPECT_EQ(r["flaky"][1]["job"], "lint");
  EXPECT_EQ(r["flaky"][1]["passed_on_retry"], 0);
  EXPECT_EQ(r["flaky"][1]["failed_on_passing_inputs"], 1);
  EXPECT_EQ(r["flaky"][1]["cost_ms"], 50);

  // Advice, largest saving over the window first. unit is on the critical path of all 5
  // successful runs and is 1000/1410 of the median path: halving it saves 500 per run.
  // build and unit (no `inputs:`) ran again on c5 after passing there (run 6): 500 and
  // 1000 ms that a cache would have saved. Both slots were busy in every run but no run
  // took longer than its critical path: no slot advice. No job was flaky twice: no
  // quarantine.
  ASSERT_EQ(r["advice"].size(), 3u) << r["advice"].dump(2);
  EXPECT_EQ(r["advice"][0]["kind"], "critical_path");
  EXPECT_EQ(r["advice"][0]["job"], "unit");
  EXPECT_EQ(r["advice"][0]["saving_ms_per_run"], 500);
  EXPECT_EQ(r["advice"][0]["saving_ms_window"], 2500);
  EXPECT_EQ(r["advice"][1]["kind"], "cacheable");
  EXPECT_EQ(r["advice"][1]["job"], "unit");
  EXPECT_EQ(r["advice"][1]["saving_ms_window"], 1000);
  EXPECT_EQ(r["advice"][2]["kind"], "cacheable");
  EXPECT_EQ(r["advice"][2]["job"], "build");
  EXPECT_EQ(r["advice"][2]["saving_ms_window"], 500);
  EXPECT_EQ(p["saturated_runs"], 5);

  // DORA for prod. Lead times (finish - commit, commit an hour before its run):
  // d1 25h10m, d3 25h30m, d4 25h10m, d5 25h10m -> median rank 2 = 25h10m: high (1-7 days).
  // Changes 5, failed 2 (d2 rolled back, d4 blamed by the incident): 40%: low.
  // 4 succeeded over 30 days = 0.133/day < 1/7: medium. Restores: d2's rollback -> d3
  // 1d20m, the incident -> d5 23h10m; median rank 1 = 23h10m: high (under a day).
  ASSERT_EQ(r["dora"].size(), 1u) << r["dora"].dump(2);
  const Json& d = r["dora"][0];
  EXPECT_EQ(d["environment"], "prod");
  EXPECT_EQ(d["deployments"], 5);
  EXPECT_EQ(d["succeeded"], 4);
  EXPECT_EQ(d["failed_changes"], 2);
  EXPECT_DOUBLE_EQ(d["deployment_frequency"]["per_day"].get<double>(), 4.0 / 30);
  EXPECT_EQ(d["deployment_frequency"]["band"], "medium");
  EXPECT_EQ(d["lead_time"]["median_ms"], 25 * testing::kHourMs + 10 * testing::kMinuteMs);
  EXPECT_EQ(d["lead_time"]["samples"], 4);
  EXPECT_EQ(d["lead_time"]["band"], "high");
  EXPECT_DOUBLE_EQ(d["change_failure_rate"]["rate"].get<double>(), 0.4);
  EXPECT_EQ(d["change_failure_rate"]["band"], "low");
  EXPECT_EQ(d["time_to_restore"]["median_ms"], 23 * testing::kHourMs + 10 * testing::kMinuteMs);
  EXPECT_EQ(d["time_to_restore"]["restores"], 2);
  EXPECT_EQ(d["time_to_restore"]["unrestored"], 0);
  EXPECT_EQ(d["time_to_restore"]["band"], "high");
  // The newest successful deployment's observed traffic, read back through the store.
  const Json& seen = d["latest_deployment"]["observed"];
  EXPECT_EQ(seen["p50_ms"], 3.125) << seen.dump();
  EXPECT_EQ(seen["p99_ms"], 12.25);
  EXPECT_DOUBLE_EQ(seen["error_rate"].get<double>(), 2.0 / 400);
  EXPECT_TRUE(seen["p95_ms"].is_number());
}

TEST_F(InsightHistoryTest, HandComputedFiguresFromARealStore) {
  testing::InsightHistory h(*store_, kInsightNow);
  h.Write();
  ASSERT_EQ(h.runs.size(), 7u);
  Json r = Report(kInsightNow);
  EXPECT_EQ(r["read"]["runs"], 7);  // both windows
  EXPECT_EQ(r["read"]["jobs"], 28);
  ExpectHandComputed(r, h.runs[4]);
}

TEST_F(InsightHistoryTest, FiltersAndAShorterWindow) {
  testing::InsightHistory h(*store_, kInsightNow);
  h.Write();
  insight::Options other;
  other.pipeline = "nope";
  EXPECT_TRUE(Report(kInsightNow, other)["pipelines"].empty());
  insight::Options branch;
  branch.branch = "main";
  EXPECT_EQ(Report(kInsightNow, branch)["pipelines"][0]["runs"], 6);
  // The last 5 days hold runs 5 and 6 (commit c5): lint failed where it had passed.
  insight::Options recent;
  recent.since = "5d";
  Json r = Report(kInsightNow, recent);
  ASSERT_EQ(r["pipelines"].size(), 1u);
  EXPECT_EQ(r["pipelines"][0]["runs"], 2);
  ASSERT_EQ(r["flaky"].size(), 1u);
  EXPECT_EQ(r["flaky"][0]["job"], "lint");
  // d4 (finished 10 minutes into the window, blamed by the incident an hour in) and d5,
  // which restored: 23h10m after the incident.
  ASSERT_EQ(r["dora"].size(), 1u);
  EXPECT_EQ(r["dora"][0]["deployments"], 2);
  EXPECT_EQ(r["dora"][0]["failed_changes"], 1);
  EXPECT_EQ(r["dora"][0]["time_to_restore"]["median_ms"],
            23 * testing::kHourMs + 10 * testing::kMinuteMs);
}

TEST_F(InsightHistoryTest, TheBinaryGivesTheSameFigures) {
  // The binary's window ends at its own clock: the history is laid out around now.
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  testing::InsightHistory h(*store_, now);
  h.Write();
  const std::string state = (dir_ / ".gauntlet").string();
  fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
  auto run = [&](std::vector<std::string> args) {
    return testing::WaitGauntlet(testing::SpawnGauntlet(std::move(args), dir_, out, err), out, err);
  };
  testing::Output json = run({"insight", "--json", "--state-dir", state});
  ASSERT_EQ(json.code, 0) << json.err;
  ExpectHandComputed(testing::JsonOut(json), h.runs[4]);

  testing::Output text = run({"insight", "--state-dir", state});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("pipeline app: 6 runs, 5 succeeded"));
  EXPECT_THAT(text.out, HasSubstr("app / unit"));
  EXPECT_THAT(text.out, HasSubstr("prod"));

  testing::Output bad = run({"insight", "--since", "0d", "--state-dir", state});
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, HasSubstr("expected a positive length of time"));
  testing::Output none = run({"insight", "--json", "--state-dir", (dir_ / "none").string()});
  EXPECT_EQ(none.code, 3) << none.err;
}

}  // namespace
}  // namespace gauntlet
