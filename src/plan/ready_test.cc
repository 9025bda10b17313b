#include "plan/ready.h"

#include <gtest/gtest.h>

namespace gauntlet::plan {
namespace {

// a -> b -> c, and a lone d: after a, b (heading the longer chain) comes before d.
Plan Diamondish() {
  Plan p;
  for (int i = 0; i < 4; ++i) {
    PlannedJob j;
    j.id = i;
    j.name = std::string(1, static_cast<char>('a' + i));
    p.jobs.push_back(j);
  }
  auto edge = [&](int from, int to) {
    p.jobs[to].needs.push_back(from);
    p.jobs[from].dependents.push_back(to);
  };
  edge(0, 1);
  edge(1, 2);
  return p;
}

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
