#include "exec/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "exec/fake_runner.h"
#include "exec/scheduler.h"
#include "exec/scheduler_test_util.h"

namespace gauntlet::exec {
namespace {

using testing::PlanBuilder;

FakeOutcome ProgressScript(const SpawnRequest& req) {
  std::string s(req.script);
  FakeOutcome o;
  if (s.rfind("fail:", 0) == 0) {
    o.exit_code = 2;
    for (int i = 1; i <= 30; ++i) o.output.append("line ").append(std::to_string(i)).append("\n");
    o.output += "no newline at end";
  } else {
    o.output = s + "\n";
  }
  o.duration = std::chrono::milliseconds(1200);
  return o;
}

std::string RunWith(ProgressOptions po, bool fail) {
  PlanBuilder b;
  auto a = b.Add("lint", "hello");
  b.Add("unit (py=3.12)", fail ? "fail:x" : "ok", {a});
  ManualClock clock;
  FakeRunner runner(&clock, ProgressScript);
  std::string out;
  Progress p(po, [&](std::string_view s) { out.append(s); });
  SchedulerOptions o;
  o.parallelism = 2;
  Scheduler s(b.plan, &runner, &p, o);
  s.Run();
  return out;
}

TEST(ProgressTest, PlainLinesAndSummary) {
  std::string out = RunWith({}, false);
  EXPECT_NE(out.find("start lint\nok lint 1.2s\nstart unit (py=3.12)\nok unit (py=3.12) 1.2s\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("lint            success    1         1.2s\n"), std::string::npos) << out;
  EXPECT_NE(out.find("success: 2 succeeded, 0 failed, 0 skipped, 0 cancelled in 2.4s\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("hello"), std::string::npos);  // not verbose
}

TEST(ProgressTest, FailedJobShowsItsLastLines) {
  std::string out = RunWith({}, true);
  EXPECT_NE(out.find("FAILED unit (py=3.12) 1.2s: exit code 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("--- unit (py=3.12): last 20 lines ---\nline 12\n"), std::string::npos) << out;
  EXPECT_NE(out.find("line 30\nno newline at end\nfailed: "), std::string::npos) << out;
  EXPECT_EQ(out.find("line 11\n"), std::string::npos);
}

TEST(ProgressTest, VerbosePrefixesOutput) {
  ProgressOptions po;
  po.verbose = true;
  std::string out = RunWith(po, false);
  EXPECT_NE(out.find("[lint] hello\n"), std::string::npos) << out;
}

TEST(ProgressTest, TtyRewritesOneStatusLine) {
  ProgressOptions po;
  po.tty = true;
  std::string out = RunWith(po, false);
  EXPECT_NE(out.find("\r[0/2] running: lint\x1b[K"), std::string::npos) << out;
  EXPECT_NE(out.find("\r[1/2] running: unit (py=3.12)\x1b[K"), std::string::npos) << out;
  EXPECT_EQ(out.find("start lint"), std::string::npos);
}

// The summary table of a run of `jobs` jobs where j1 fails and `after` (needing it) is
// skipped: the names of the jobs it lists, in order.
std::vector<std::string> TableRows(int jobs) {
  PlanBuilder b;
  for (int i = 0; i < jobs - 1; ++i) b.Add(testing::JobName(i), i == 1 ? "fail:x" : "ok");
  b.Add("after", "ok", {1});
  ManualClock clock;
  FakeRunner runner(&clock, ProgressScript);
  std::string out;
  Progress p(ProgressOptions{}, [&](std::string_view s) { out.append(s); });
  SchedulerOptions o;
  o.parallelism = 2;
  o.keep_going = true;
  Scheduler s(b.plan, &runner, &p, o);
  s.Run();
  std::vector<std::string> rows;
  std::istringstream lines(out.substr(out.find("\njob ") + 1));
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line) && !line.starts_with("--- ")) {
    rows.push_back(line.substr(0, line.find(' ')));
  }
  return rows;
}

// docs/running.md: "only the unsuccessful jobs when there are more than 50".
TEST(ProgressTest, SummaryListsEveryJobUpTo50AndOnlyUnsuccessfulOnesAbove) {
  std::vector<std::string> fifty = TableRows(50);
  ASSERT_EQ(fifty.size(), 50u);
  for (const char* name : {"j0", "j1", "j48", "after"}) {
    EXPECT_EQ(std::count(fifty.begin(), fifty.end(), name), 1) << name;
  }
  std::vector<std::string> fifty_one = TableRows(51);
  std::sort(fifty_one.begin(), fifty_one.end());
  EXPECT_EQ(fifty_one, (std::vector<std::string>{"after", "j1"}));
}

TEST(ProgressTest, HumanDuration) {
  EXPECT_EQ(HumanDuration(Micros(250000)), "250ms");
  EXPECT_EQ(HumanDuration(Micros(1200000)), "1.2s");
  EXPECT_EQ(HumanDuration(Micros(184000000)), "3m04s");
}

}  // namespace
}  // namespace gauntlet::exec
