#include "gate/trust.h"

#include <gtest/gtest.h>

namespace gauntlet::gate {
namespace {

constexpr int64_t kTrustDay = 24LL * 3600 * 1000;
constexpr int64_t kTrustT0 = 1'700'000'000'000;

using Kind = TrustEvent::Kind;

// `n` merged changes an hour apart starting at `from`.
void Merges(std::vector<TrustEvent>& events, int n, int64_t from, int64_t step = 3600 * 1000) {
  for (int i = 0; i < n; ++i) {
    events.push_back({Kind::kMerged, from + i * step, "c" + std::to_string(events.size()), ""});
  }
}

TEST(TrustTest, NewAuthorIsL0) {
  TrustStanding s = ReplayTrust({}, spec::Gates{}, kTrustT0);
  EXPECT_EQ(s.level, TrustLevel::kL0);
  EXPECT_EQ(s.why, "L0 (new: no change merged yet)");
  EXPECT_EQ(s.next, "L1 needs 20 changes merged (has 0)");
  EXPECT_TRUE(s.changes.empty());
}

TEST(TrustTest, TwentyCleanChangesMakeL1) {
  std::vector<TrustEvent> events;
  Merges(events, 19, kTrustT0);
  EXPECT_EQ(ReplayTrust(events, spec::Gates{}, kTrustT0 + kTrustDay).level, TrustLevel::kL0);
  Merges(events, 1, kTrustT0 + 19 * 3600 * 1000);
  TrustStanding s = ReplayTrust(events, spec::Gates{}, kTrustT0 + kTrustDay);
  EXPECT_EQ(s.level, TrustLevel::kL1);
  ASSERT_EQ(s.changes.size(), 1u);
  EXPECT_EQ(s.changes[0].to, TrustLevel::kL1);
  EXPECT_EQ(s.changes[0].at_ms, kTrustT0 + 19 * 3600 * 1000);
  EXPECT_EQ(s.changes[0].reason,
            "promoted to L1 after merging c19: 20 changes merged, 0 incidents in the last 20");
  EXPECT_EQ(s.next, "L2 needs 100 changes merged (has 20)");
}

TEST(TrustTest, FullLadderNeedsTimeForL3) {
  std::vector<TrustEvent> events;
  Merges(events, 500, kTrustT0, 3600 * 1000);  // ~21 days
  TrustStanding early = ReplayTrust(events, spec::Gates{}, kTrustT0 + 30 * kTrustDay);
  EXPECT_EQ(early.level, TrustLevel::kL2);
  EXPECT_EQ(early.next, "L3 needs 90 days of history (has 30)");
  TrustStanding later = ReplayTrust(events, spec::Gates{}, kTrustT0 + 91 * kTrustDay);
  EXPECT_EQ(later.level, TrustLevel::kL3);
  ASSERT_EQ(later.changes.size(), 3u);
  EXPECT_EQ(later.changes[2].at_ms, kTrustT0 + 90 * kTrustDay);  // when it became true
  EXPECT_NE(later.changes[2].reason.find("promoted to L3 with time"), std::string::npos);
  // Replaying again later gives the same change, so recording it again is a no-op.
  EXPECT_EQ(ReplayTrust(events, spec::Gates{}, kTrustT0 + 200 * kTrustDay).changes[2].at_ms,
            later.changes[2].at_ms);
}

TEST(TrustTest, IncidentDemotesAndCleanChangesPromoteAgain) {
  std::vector<TrustEvent> events;
  Merges(events, 150, kTrustT0);
  const int64_t after = kTrustT0 + 150 * 3600 * 1000;
  events.push_back({Kind::kIncident, after, "c149", "rollback in production: error rate"});
  TrustStanding s = ReplayTrust(events, spec::Gates{}, after + 1);
  EXPECT_EQ(s.level, TrustLevel::kL0);
  ASSERT_EQ(s.changes.size(), 3u);  // L1, L2, then down
  EXPECT_EQ(s.changes[2].from, TrustLevel::kL2);
  EXPECT_EQ(s.changes[2].to, TrustLevel::kL0);
  EXPECT_EQ(s.changes[2].reason,
            "demoted to L0 after an incident on c149 (rollback in production: error rate): L1 "
            "allows no incident in the last 20 changes (1 recorded)");
  EXPECT_EQ(s.incidents, 1);

  Merges(events, 19, after + 1000);
  EXPECT_EQ(ReplayTrust(events, spec::Gates{}, after + kTrustDay).level, TrustLevel::kL0);
  Merges(events, 1, after + 100000);
  TrustStanding back = ReplayTrust(events, spec::Gates{}, after + kTrustDay);
  // 20 clean changes since: L1 again, and L2 at once (1 incident in the last 100: 1% < 2%).
  EXPECT_EQ(back.level, TrustLevel::kL2);
  EXPECT_EQ(back.changes.back().from, TrustLevel::kL0);
}

TEST(TrustTest, RepeatedIncidentsKeepAnAuthorBelowL2) {
  std::vector<TrustEvent> events;
  Merges(events, 100, kTrustT0);
  const int64_t after = kTrustT0 + 100LL * 3600 * 1000;
  events.push_back({Kind::kIncident, after + 1, "c98", "revert"});
  events.push_back({Kind::kIncident, after + 2, "c99", "revert"});
  Merges(events, 30, kTrustT0 + 200 * 3600 * 1000);
  TrustStanding s = ReplayTrust(events, spec::Gates{}, kTrustT0 + 30 * kTrustDay);
  // 30 clean changes since: L1 again; but the last 100 changes began before the two
  // incidents, and 2% is not under 2%.
  EXPECT_EQ(s.level, TrustLevel::kL1);
  EXPECT_EQ(s.next,
            "L2 needs an incident rate under 2.0% over the last 100 changes (has 2.0%: 2 "
            "incidents)");
}

// Each default threshold of L2 and L3 one short of it, and exactly at it.
TEST(TrustTest, L2AndL3ThresholdsOnBothSidesOfTheBoundary) {
  std::vector<TrustEvent> events;
  Merges(events, 99, kTrustT0);
  EXPECT_EQ(ReplayTrust(events, spec::Gates{}, kTrustT0 + 10 * kTrustDay).level, TrustLevel::kL1);
  Merges(events, 1, kTrustT0 + 99 * 3600 * 1000);
  EXPECT_EQ(ReplayTrust(events, spec::Gates{}, kTrustT0 + 10 * kTrustDay).level, TrustLevel::kL2);

  Merges(events, 399, kTrustT0 + 100 * 3600 * 1000);  // 499, ~21 days
  TrustStanding short_one = ReplayTrust(events, spec::Gates{}, kTrustT0 + 200 * kTrustDay);
  EXPECT_EQ(short_one.level, TrustLevel::kL2);
  EXPECT_EQ(short_one.next, "L3 needs 500 changes merged (has 499)");
  Merges(events, 1, kTrustT0 + 499 * 3600 * 1000);
  // 90 days after the first merged change, not a millisecond earlier.
  TrustStanding early = ReplayTrust(events, spec::Gates{}, kTrustT0 + 90 * kTrustDay - 1);
  EXPECT_EQ(early.level, TrustLevel::kL2);
  EXPECT_EQ(early.next, "L3 needs 90 days of history (has 89)");
  EXPECT_EQ(ReplayTrust(events, spec::Gates{}, kTrustT0 + 90 * kTrustDay).level, TrustLevel::kL3);
}

// L3 allows an incident rate under 1% over the last 500 changes: 4 incidents pass, the
// fifth (1.0%) does not. They are early enough that L1's and L2's windows are clean.
TEST(TrustTest, L3IncidentRateOnBothSidesOfTheBoundary) {
  std::vector<TrustEvent> events;
  Merges(events, 500, kTrustT0);
  for (int i = 0; i < 4; ++i) {
    events.push_back(
        {Kind::kIncident, kTrustT0 + i * 3600 * 1000 + 1, "c" + std::to_string(i), "revert"});
  }
  const int64_t now = kTrustT0 + 100 * kTrustDay;
  EXPECT_EQ(ReplayTrust(events, spec::Gates{}, now).level, TrustLevel::kL3);
  events.push_back({Kind::kIncident, kTrustT0 + 4 * 3600 * 1000 + 1, "c4", "revert"});
  TrustStanding s = ReplayTrust(events, spec::Gates{}, now);
  EXPECT_EQ(s.level, TrustLevel::kL2);
  EXPECT_EQ(s.next,
            "L3 needs an incident rate under 1.0% over the last 500 changes (has 1.0%: 5 "
            "incidents)");
}

TEST(TrustTest, ThresholdsFromGates) {
  spec::Gates g;
  g.trust_l1 = {3, 0.0, 0};
  g.trust_l2 = {5, 0.5, 0};
  g.trust_l3 = {8, 0.5, 1};
  std::vector<TrustEvent> events;
  Merges(events, 8, kTrustT0);
  events.push_back({Kind::kIncident, kTrustT0 + 8 * 3600 * 1000, "c7", ""});
  TrustStanding s = ReplayTrust(events, g, kTrustT0 + 2 * kTrustDay);
  EXPECT_EQ(s.level, TrustLevel::kL0);  // the incident is within L1's last 3 changes
  Merges(events, 3, kTrustT0 + 9 * 3600 * 1000);
  EXPECT_EQ(ReplayTrust(events, g, kTrustT0 + 2 * kTrustDay).level, TrustLevel::kL3);
}

TEST(TrustTest, WhatEachLevelMayMergeAlone) {
  EXPECT_FALSE(MayMergeAlone(TrustLevel::kL0, RiskClass::kLow));
  EXPECT_TRUE(MayMergeAlone(TrustLevel::kL1, RiskClass::kLow));
  EXPECT_FALSE(MayMergeAlone(TrustLevel::kL1, RiskClass::kMedium));
  EXPECT_TRUE(MayMergeAlone(TrustLevel::kL2, RiskClass::kMedium));
  EXPECT_FALSE(MayMergeAlone(TrustLevel::kL2, RiskClass::kHigh));
  EXPECT_TRUE(MayMergeAlone(TrustLevel::kL3, RiskClass::kHigh));
  EXPECT_FALSE(MayMergeAlone(TrustLevel::kL3, RiskClass::kCritical));
  EXPECT_EQ(MaxRiskFor(TrustLevel::kL0), "none");
  EXPECT_EQ(MaxRiskFor(TrustLevel::kL3), "high");
}

}  // namespace
}  // namespace gauntlet::gate
