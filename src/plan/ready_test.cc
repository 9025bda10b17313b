#include "plan/ready.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace gauntlet::plan {
namespace {

// Jobs named `names` in file order, with `edges` (need, dependent) between them.
Plan PlanOf(const std::vector<std::string>& names, const std::vector<std::pair<int, int>>& edges) {
  Plan p;
  for (const std::string& name : names) {
    PlannedJob j;
    j.id = static_cast<JobId>(p.jobs.size());
    j.name = name;
    p.jobs.push_back(j);
  }
  for (auto [from, to] : edges) {
    p.jobs[to].needs.push_back(from);
    p.jobs[from].dependents.push_back(to);
  }
  return p;
}

// a -> b -> c, and a lone d: after a, b (heading the longer chain) comes before d.
Plan Diamondish() { return PlanOf({"a", "b", "c", "d"}, {{0, 1}, {1, 2}}); }

TEST(ReadyTrackerTest, ReleasesDependentsAsNeedsFinish) {
  Plan p = Diamondish();
  ReadyTracker t(p);
  JobId id;
  ASSERT_TRUE(t.PopReady(&id));
  EXPECT_EQ(id, 0);  // longest chain first
  ASSERT_TRUE(t.PopReady(&id));
  EXPECT_EQ(id, 3);
  EXPECT_FALSE(t.PopReady(&id));
  t.Finish(0);
  ASSERT_TRUE(t.PopReady(&id));
  EXPECT_EQ(id, 1);
  t.Finish(1);
  t.Finish(3);
  ASSERT_TRUE(t.PopReady(&id));
  EXPECT_EQ(id, 2);
  EXPECT_FALSE(t.all_finished());
  t.Finish(2);
  t.Finish(2);  // idempotent
  EXPECT_TRUE(t.all_finished());
  EXPECT_EQ(t.finished_count(), 4);
}

// File order and longest-chain order disagree: `lone` comes first in the file, then a
// chain of two, then a chain of three. The longest chain starts first, whatever its place.
TEST(ReadyTrackerTest, LongestChainFirstWhateverTheFileOrder) {
  Plan p = PlanOf({"lone", "short", "short-2", "long", "long-2", "long-3", "lone-2"},
                  {{1, 2}, {3, 4}, {4, 5}});
  ReadyTracker t(p);
  std::vector<std::string> order;
  JobId id;
  while (t.PopReady(&id)) order.push_back(p.jobs[id].name);
  // Among equal chains (the two lone jobs) file order is kept.
  EXPECT_EQ(order, (std::vector<std::string>{"long", "short", "lone", "lone-2"}));
}

TEST(ReadyTrackerTest, PreFinishedJobsAreNotOffered) {
  Plan p = Diamondish();
  ReadyTracker t(p);
  t.Finish(0);  // resumed from a previous run
  JobId id;
  ASSERT_TRUE(t.PopReady(&id));
  EXPECT_EQ(id, 1);
  ASSERT_TRUE(t.PopReady(&id));
  EXPECT_EQ(id, 3);
  EXPECT_FALSE(t.PopReady(&id));
}

}  // namespace
}  // namespace gauntlet::plan
