#include "server/schedules.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "deploy/testing.h"
#include "server/time_testing.h"

namespace gauntlet::server {
namespace {

using testing::Utc;

WatchedSchedule Hourly(const std::string& cron = "0 * * * *") {
  auto when = CronSchedule::Parse(cron, "");
  EXPECT_TRUE(when.ok());
  return {"app", "main", std::string(40, 'c'), cron, "", *when};
}

class FireDueTest : public ::testing::Test {
 protected:
  std::unique_ptr<ServerDb> Open() {
    auto db = ServerDb::Open(dir_.path() + "/server.db");
    EXPECT_TRUE(db.ok());
    return db.ok() ? std::move(*db) : nullptr;
  }
  deploy::testing::TempDir dir_;
};

TEST_F(FireDueTest, ANewScheduleStartsCountingNowAndSaysWhenItFiresNext) {
  auto db = Open();
  FireResult r = FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 10, 30));
  EXPECT_TRUE(r.queued.empty());
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.next_s, Utc(2024, 1, 1, 11, 0));
}

TEST_F(FireDueTest, ASlotFiresOnceWithItsCommitAndPayload) {
  auto db = Open();
  FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 10, 30));
  EXPECT_TRUE(FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 10, 59)).queued.empty());  // not yet
  FireResult r = FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 11, 0));
  ASSERT_EQ(r.queued.size(), 1u);
  EXPECT_EQ(r.queued[0].event, "schedule");
  EXPECT_EQ(r.queued[0].ref, "refs/heads/main");
  EXPECT_EQ(r.queued[0].commit, std::string(40, 'c'));
  auto payload = nlohmann::json::parse(r.queued[0].payload);
  EXPECT_EQ(payload["slot_unix"], Utc(2024, 1, 1, 11, 0));
  EXPECT_EQ(payload["timezone"], "UTC");
  EXPECT_EQ(r.next_s, Utc(2024, 1, 1, 12, 0));
  // Looked at again within the same hour: that slot fired already.
  EXPECT_TRUE(FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 11, 0) + 5).queued.empty());
  auto queue = db->ListQueue(10);
  ASSERT_TRUE(queue.ok());
  EXPECT_EQ(queue->size(), 1u);
}

// A release schedule with the same expression as a run's fires on its own: its own
// last-fire record (a shared one would let only the first of the two fire), the event
// `release`, and `when` in the payload.
TEST_F(FireDueTest, AReleaseScheduleFiresBesideARunScheduleOfTheSameExpression) {
  auto db = Open();
  WatchedSchedule release = Hourly();
  release.release = true;
  release.release_when = "always";
  FireDue(*db, {Hourly(), release}, Utc(2024, 1, 1, 10, 30));
  FireResult r = FireDue(*db, {Hourly(), release}, Utc(2024, 1, 1, 11, 0));
  ASSERT_EQ(r.queued.size(), 2u);
  EXPECT_EQ(r.queued[0].event, "schedule");
  EXPECT_EQ(r.queued[1].event, "release");
  auto payload = nlohmann::json::parse(r.queued[1].payload);
  EXPECT_EQ(payload["release"], true);
  EXPECT_EQ(payload["when"], "always");
  EXPECT_TRUE(PayloadNames(r.queued[1].payload, "0 * * * *", ""));
  EXPECT_FALSE(PayloadNames(r.queued[1].payload, "0 * * * *", "Europe/Berlin"));
  EXPECT_FALSE(nlohmann::json::parse(r.queued[0].payload).contains("release"));
}

TEST_F(FireDueTest, SlotsMissedWhileDownFireOnceForTheLatestAndNotAgainAfterARestart) {
  {
    auto db = Open();
    FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 10, 30));
  }
  auto db = Open();  // back up at 13:20: 11:00, 12:00 and 13:00 were missed
  FireResult r = FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 13, 20));
  ASSERT_EQ(r.queued.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(r.queued[0].payload)["slot_unix"], Utc(2024, 1, 1, 13, 0));
  db = Open();  // and again, at once
  EXPECT_TRUE(FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 13, 21)).queued.empty());
  FireResult later = FireDue(*db, {Hourly()}, Utc(2024, 1, 1, 14, 0));
  EXPECT_EQ(later.queued.size(), 1u);
}

TEST_F(FireDueTest, EachScheduleKeepsItsOwnLastFireAndTheEarliestNextIsGiven) {
  auto db = Open();
  std::vector<WatchedSchedule> both = {Hourly("0 * * * *"), Hourly("*/20 * * * *")};
  FireDue(*db, both, Utc(2024, 1, 1, 10, 30));
  FireResult r = FireDue(*db, both, Utc(2024, 1, 1, 10, 40));
  ASSERT_EQ(r.queued.size(), 1u);  // the 20-minute one only
  EXPECT_EQ(nlohmann::json::parse(r.queued[0].payload)["schedule"], "*/20 * * * *");
  EXPECT_EQ(r.next_s, Utc(2024, 1, 1, 11, 0));
  // A changed expression is a new schedule: it does not fire for slots before it.
  EXPECT_TRUE(FireDue(*db, {Hourly("30 * * * *")}, Utc(2024, 1, 1, 10, 45)).queued.empty());
}

// The store's compare-and-swap: a slot (or an older one) fired already queues nothing, as a
// second server thread or a slow tick would try.
TEST_F(FireDueTest, ASlotThatFiredAlreadyOrAnOlderOneQueuesNothing) {
  auto db = Open();
  const std::string key = Hourly().Key();
  ASSERT_EQ(db->StartSchedule(key, Utc(2024, 1, 1, 10, 30)).value(), Utc(2024, 1, 1, 10, 30));
  QueueItem item;
  item.repo = "app";
  item.event = "schedule";
  auto first = db->FireSchedule(key, Utc(2024, 1, 1, 11, 0), item, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->has_value());
  EXPECT_FALSE(db->FireSchedule(key, Utc(2024, 1, 1, 11, 0), item, 0)->has_value());
  EXPECT_FALSE(db->FireSchedule(key, Utc(2024, 1, 1, 10, 0), item, 0)->has_value());
  EXPECT_TRUE(db->FireSchedule(key, Utc(2024, 1, 1, 12, 0), item, 0)->has_value());
  EXPECT_EQ(db->StartSchedule(key, 0).value(), Utc(2024, 1, 1, 12, 0)) << "kept, not reset";
  EXPECT_EQ(db->ListQueue(10)->size(), 2u);
}

}  // namespace
}  // namespace gauntlet::server
