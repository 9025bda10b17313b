#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

class SqliteDeployTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-deploys-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = SqliteStore::Open(dir_ + "/state.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  DeploymentRecord Make(const std::string& env, const std::string& version) {
    DeploymentRecord d;
    d.environment = env;
    d.version = version;
    d.strategy = "canary";
    d.engine_pid = 42;
    d.engine_host = "h";
    d.started_ms = 1000;
    return d;
  }
  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteDeployTest, OneActiveDeploymentPerEnvironment) {
  auto first = store_->StartDeployment(Make("prod", "1"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_GT(first->id, 0);
  EXPECT_FALSE(first->holder);

  auto second = store_->StartDeployment(Make("prod", "2"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, 0);
  ASSERT_TRUE(second->holder);
  EXPECT_EQ(second->holder->id, first->id);
  EXPECT_EQ(second->holder->engine_pid, 42);

  // Another environment is independent.
  auto other = store_->StartDeployment(Make("staging", "2"));
  ASSERT_TRUE(other.ok());
  EXPECT_GT(other->id, 0);

  // Paused still holds the lock; a finished deployment releases it.
  DeploymentRecord d = Make("prod", "1");
  d.id = first->id;
  d.state = kDeployPaused;
  ASSERT_TRUE(store_->UpdateDeployment(d).ok());
  EXPECT_TRUE(store_->StartDeployment(Make("prod", "2"))->holder);
  d.state = kDeploySucceeded;
  ASSERT_TRUE(store_->UpdateDeployment(d).ok());
  auto third = store_->StartDeployment(Make("prod", "2"));
  ASSERT_TRUE(third.ok());
  EXPECT_GT(third->id, first->id);
  auto active = store_->ActiveDeployment("prod");
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*active)->id, third->id);
}

TEST_F(SqliteDeployTest, ClaimHasOneWinnerAndRequestsSurviveUpdates) {
  auto id = store_->StartDeployment(Make("prod", "1"))->id;
  EXPECT_TRUE(*store_->ClaimDeployment(id, 42, "h", 7, "h"));
  EXPECT_FALSE(*store_->ClaimDeployment(id, 42, "h", 8, "h")) << "the old holder is gone";
  ASSERT_TRUE(store_->SetDeploymentRequest(id, "promote").ok());
  DeploymentRecord d = Make("prod", "1");
  d.id = id;
  d.engine_pid = 7;
  d.phase = "step";
  d.step = 1;
  d.weight = 25;
  ASSERT_TRUE(store_->UpdateDeployment(d).ok());
  auto got = store_->GetDeployment(id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->request, "promote");
  EXPECT_EQ((*got)->phase, "step");
  EXPECT_EQ((*got)->weight, 25);
  EXPECT_EQ((*got)->engine_pid, 7);
  EXPECT_FALSE(store_->GetDeployment(id + 100)->has_value());
}

TEST_F(SqliteDeployTest, OnlyAHolderInThePreemptablePhaseGivesWayAndOnlyOnce) {
  DeploymentRecord d = Make("prod", "1");
  d.id = store_->StartDeployment(d)->id;
  d.phase = "post_deploy";
  ASSERT_TRUE(store_->UpdateDeployment(d).ok());
  DeploymentRecord rollback = Make("prod", "0");
  rollback.started_ms = 5000;
  // Another phase: refused like any start.
  auto refused = store_->StartDeploymentPreempting(rollback, "scale_down", "cancelled");
  ASSERT_TRUE(refused.ok() && refused->holder);
  EXPECT_EQ(refused->holder->id, d.id);

  // Waiting out its scale-down: the holder ends and the rollback starts, atomically.
  ASSERT_TRUE(*store_->AdvanceDeploymentPhase(d.id, "post_deploy", "scale_down", 42, "h"));
  auto started = store_->StartDeploymentPreempting(rollback, "scale_down", "cancelled");
  ASSERT_TRUE(started.ok());
  EXPECT_FALSE(started->holder);
  auto holder = *store_->GetDeployment(d.id);
  EXPECT_EQ(holder->state, kDeploySucceeded);
  EXPECT_EQ(holder->reason, "cancelled");
  EXPECT_EQ(holder->finished_ms, 5000);
  // The preempted engine cannot go on to stop its old slot.
  EXPECT_FALSE(*store_->AdvanceDeploymentPhase(d.id, "scale_down", "stop_old", 42, "h"));
  // The rollback holds the lock now, and is not in that phase: the next one waits.
  EXPECT_TRUE(store_->StartDeploymentPreempting(Make("prod", "2"), "scale_down", "x")->holder);
}

TEST_F(SqliteDeployTest, PhaseAdvancesOnlyForItsOwnEngineFromTheExpectedPhase) {
  DeploymentRecord d = Make("prod", "1");
  d.id = store_->StartDeployment(d)->id;
  d.phase = "scale_down";
  ASSERT_TRUE(store_->UpdateDeployment(d).ok());
  EXPECT_FALSE(*store_->AdvanceDeploymentPhase(d.id, "scale_down", "stop_old", 43, "h"));
  EXPECT_FALSE(*store_->AdvanceDeploymentPhase(d.id, "bake", "stop_old", 42, "h"));
  EXPECT_TRUE(*store_->AdvanceDeploymentPhase(d.id, "scale_down", "stop_old", 42, "h"));
  EXPECT_EQ((*store_->GetDeployment(d.id))->phase, "stop_old");
  EXPECT_FALSE(*store_->AdvanceDeploymentPhase(d.id, "scale_down", "stop_old", 42, "h"));
}

TEST_F(SqliteDeployTest, EventsAreNumberedInOrder) {
  // Two deployments' events interleaved, kinds not in alphabetical order: each deployment
  // numbers its own from 1, and they come back in the order they were added.
  auto prod = store_->StartDeployment(Make("prod", "1"))->id;
  auto stage = store_->StartDeployment(Make("stage", "1"))->id;
  for (const char* kind : {"verdict", "phase", "traffic"}) {
    for (int64_t id : {prod, stage}) {
      DeploymentEvent e;
      e.deployment_id = id;
      e.kind = kind;
      e.at_ms = 5;
      e.json = kind == std::string("verdict") ? R"({"metric":"error_rate"})" : "";
      ASSERT_TRUE(store_->AddDeploymentEvent(e).ok());
    }
  }
  for (int64_t id : {prod, stage}) {
    auto events = store_->GetDeploymentEvents(id);
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), 3u);
    std::vector<std::pair<int, std::string>> got;
    for (const DeploymentEvent& e : *events) {
      EXPECT_EQ(e.deployment_id, id);
      got.emplace_back(e.seq, e.kind);
    }
    EXPECT_EQ(got, (std::vector<std::pair<int, std::string>>{
                       {1, "verdict"}, {2, "phase"}, {3, "traffic"}}));
    EXPECT_EQ((*events)[0].json, R"({"metric":"error_rate"})");
  }
}

TEST_F(SqliteDeployTest, SlotsAndStableReleases) {
  EXPECT_FALSE(store_->GetStable("prod")->has_value());
  ASSERT_TRUE(store_->PutSlot({"prod", "blue", "1", "abc", true, 10}).ok());
  ASSERT_TRUE(store_->PutSlot({"prod", "green", "2", "def", true, 11}).ok());
  ASSERT_TRUE(store_->PutSlot({"prod", "blue", "1", "abc", false, 12}).ok());
  auto slots = store_->GetSlots("prod");
  ASSERT_TRUE(slots.ok());
  ASSERT_EQ(slots->size(), 2u);
  EXPECT_EQ((*slots)[0].slot, "blue");
  EXPECT_FALSE((*slots)[0].running);
  EXPECT_TRUE((*slots)[1].running);
  ASSERT_TRUE(store_->SetStable({"prod", "green", "2", "def", 3, 13}).ok());
  auto stable = store_->GetStable("prod");
  ASSERT_TRUE(stable.ok() && stable->has_value());
  EXPECT_EQ((*stable)->slot, "green");
  EXPECT_EQ((*stable)->version, "2");
  EXPECT_EQ((*stable)->deployment_id, 3);
}

}  // namespace
}  // namespace gauntlet::store
