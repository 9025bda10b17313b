#include "release/approval_wait.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace gauntlet::release {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;

store::ApprovalRecord Action() {
  store::ApprovalRecord a;
  a.kind = "release";
  a.pipeline = "app";
  a.commit = std::string(40, 'c');
  a.version = "1.2.0";
  a.requested_by = "dev@example.com";
  return a;
}

// A fake clock whose sleeps can act: another party deciding while the waiter sleeps.
class ActingClock : public FakeClock {
 public:
  std::function<void(int sleeps)> on_sleep;
  int sleeps = 0;
  void SleepFor(Duration d) override {
    FakeClock::SleepFor(d);
    ++sleeps;
    if (on_sleep) on_sleep(sleeps);
  }
};

struct Fixture {
  std::string db;
  std::unique_ptr<store::ApprovalBook> waiter, person;  // two connections, as two processes
  explicit Fixture(const std::string& name) {
    fs::path dir = fs::path(::testing::TempDir()) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    db = (dir / "state.db").string();
    EXPECT_TRUE(store::SqliteStore::Open(db).ok());
    auto a = store::ApprovalBook::Open(db), b = store::ApprovalBook::Open(db);
    EXPECT_TRUE(a.ok() && b.ok());
    waiter = std::move(*a);
    person = std::move(*b);
  }
};

ApprovalWait Wait(ActingClock* clock, std::vector<int64_t>* pending) {
  ApprovalWait w;
  w.action = Action();
  w.clock = clock;
  w.poll = hours(1);  // a day's wait in 25 reads
  w.on_pending = [pending](const store::ApprovalRecord& r) { pending->push_back(r.id); };
  return w;
}

TEST(WaitForApproval, ADecisionMadeWhileWaitingEndsTheWaitAndTheApprovalIsUsed) {
  Fixture f("wait-approve");
  ActingClock clock;
  std::vector<int64_t> pending;
  clock.on_sleep = [&](int n) {
    if (n == 3) {
      ASSERT_TRUE(f.person->Decide(pending.at(0), true, "alice", "ok", clock.UnixMs()).ok());
    }
  };
  auto r = WaitForApproval(*f.waiter, Wait(&clock, &pending));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, "approved");
  EXPECT_EQ(r->id, pending.at(0));
  EXPECT_EQ(r->used_ms, clock.UnixMs());
  EXPECT_EQ(clock.sleeps, 3);  // read again after each sleep, not before the decision
  EXPECT_EQ(DecisionLine(*r), "approval 1 approved by alice (ok)");
}

TEST(WaitForApproval, ExpiresAtTheFirstMillisecondPastTheTtlNotAPollLater) {
  Fixture f("wait-expire");
  ActingClock clock;
  std::vector<int64_t> pending;
  const int64_t asked_at = clock.UnixMs();
  auto r = WaitForApproval(*f.waiter, Wait(&clock, &pending));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, "expired");
  EXPECT_EQ(clock.UnixMs(), asked_at + store::kApprovalTtlMs + 1);
  EXPECT_EQ(DecisionLine(*r), "approval 1 expired: nobody decided within 24 h");
}

TEST(WaitForApproval, AKilledWaitersRequestIsWaitedOnAgainAndItsDecisionUsed) {
  Fixture f("wait-again");
  ActingClock clock;
  std::vector<int64_t> pending;
  // The first waiter made its request and died; the second finds it, not a new one.
  auto left = f.person->Request(Action(), clock.UnixMs());
  clock.on_sleep = [&](int n) {
    if (n == 1) {
      ASSERT_TRUE(f.person->Decide(left->id, false, "bob", "", clock.UnixMs()).ok());
    }
  };
  auto r = WaitForApproval(*f.waiter, Wait(&clock, &pending));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(pending, std::vector<int64_t>{left->id});
  EXPECT_EQ(r->state, "denied");
  // The denial stands for this commit and version: asked again, no new request, no wait.
  clock.sleeps = 0;
  pending.clear();
  r = WaitForApproval(*f.waiter, Wait(&clock, &pending));
  EXPECT_EQ(r->state, "denied");
  EXPECT_TRUE(pending.empty());
  EXPECT_EQ(clock.sleeps, 0);
  EXPECT_EQ(f.person->List(false, 10, clock.UnixMs())->size(), 1u);
  // Another version is another action: it asks.
  ApprovalWait other = Wait(&clock, &pending);
  other.action.version = "1.3.0";
  clock.on_sleep = [&](int) {
    ASSERT_TRUE(f.person->Decide(pending.at(0), true, "bob", "", clock.UnixMs()).ok());
  };
  EXPECT_EQ(WaitForApproval(*f.waiter, other)->state, "approved");
}

TEST(WaitForApproval, AnApprovalGivenWhileNobodyWaitedIsUsedAtOnceAndOnlyOnce) {
  Fixture f("wait-given");
  ActingClock clock;
  std::vector<int64_t> pending;
  auto left = f.person->Request(Action(), clock.UnixMs());
  ASSERT_TRUE(f.person->Decide(left->id, true, "alice", "", clock.UnixMs()).ok());
  auto r = WaitForApproval(*f.waiter, Wait(&clock, &pending));
  EXPECT_EQ(r->id, left->id);
  EXPECT_EQ(r->state, "approved");
  EXPECT_EQ(clock.sleeps, 0);
  EXPECT_TRUE(pending.empty());
  // Used: the next release of the same commit and version asks anew.
  clock.on_sleep = [&](int) {
    ASSERT_TRUE(f.person->Decide(pending.at(0), false, "alice", "", clock.UnixMs()).ok());
  };
  r = WaitForApproval(*f.waiter, Wait(&clock, &pending));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_NE(pending[0], left->id);
  EXPECT_EQ(r->state, "denied");
}

TEST(WaitForApproval, ACallerThatMayNotWaitGetsThePendingRequestAndACancelEndsAWait) {
  Fixture f("wait-not");
  ActingClock clock;
  std::vector<int64_t> pending;
  ApprovalWait w = Wait(&clock, &pending);
  w.wait = false;
  auto r = WaitForApproval(*f.waiter, w);
  EXPECT_EQ(r->state, "pending");
  EXPECT_EQ(clock.sleeps, 0);
  EXPECT_EQ(WaitForApproval(*f.waiter, w)->id, r->id);  // the same request next time
  // Waiting, cancelled after two reads: an error, the request still pending.
  w.wait = true;
  w.cancelled = [&clock] { return clock.sleeps == 2; };
  auto cancelled = WaitForApproval(*f.waiter, w);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_NE(cancelled.error().message.find("still pending"), std::string::npos);
  EXPECT_EQ(clock.sleeps, 2);
  EXPECT_EQ((*f.person->Get(r->id, clock.UnixMs()))->state, "pending");
}

}  // namespace
}  // namespace gauntlet::release
