// Trust: a level per author per repository, computed from the history (never set
// by hand), and what each level may merge without a person.
//
// The ladder (thresholds from `gates.trust`, defaults in spec::Gates): level k
// holds at a moment when, for it and every level below it,
//   - the author has at least N_k merged changes,
//   - the incidents blamed on the author that were recorded since the N_k-th most
//     recent of those changes number none when max_incident_rate is 0, else fewer
//     than max_incident_rate * N_k (the rate over the author's last N_k changes),
//   - the author's first merged change is at least min_days old.
// L0 is everyone else. So with the defaults an incident sends the author to L0
// (L1 allows none in the last 20 changes), and 20 clean changes later the author
// is back at the highest level the longer windows still allow.
//
// ReplayTrust walks the author's merged changes and incidents in time order and
// reports every change of level with its reason.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gate/risk.h"
#include "spec/model.h"

namespace gauntlet::gate {

enum class TrustLevel { kL0, kL1, kL2, kL3 };

std::string_view ToString(TrustLevel t);  // "L0" ... "L3"

// Whether an author at `level` may merge a change of `risk` alone: L0 nothing,
// L1 low, L2 low and medium, L3 everything but critical.
bool MayMergeAlone(TrustLevel level, RiskClass risk);
// The highest risk `level` may merge alone, as a word ("none" for L0).
std::string_view MaxRiskFor(TrustLevel level);

struct TrustEvent {
  enum class Kind { kMerged, kIncident };
  Kind kind = Kind::kMerged;
  int64_t at_ms = 0;
  std::string commit;  // the merged commit, or the commit an incident blames
  std::string what;    // incident: "rollback in production: error rate 12%"; merge: subject
};

struct TrustChange {
  TrustLevel from = TrustLevel::kL0;
  TrustLevel to = TrustLevel::kL0;
  int64_t at_ms = 0;
  std::string reason;
};

struct TrustStanding {
  TrustLevel level = TrustLevel::kL0;
  int merged = 0;                    // merged changes, all time
  int incidents = 0;                 // incidents blamed, all time
  int64_t first_ms = 0;              // first merged change; 0 when none
  int history_days = 0;              // days from the first merged change to `now`
  std::string why;                   // why this level, in one line
  std::string next;                  // what the next level needs ("" at L3)
  std::vector<TrustChange> changes;  // oldest first
};

// `events` in any order; `now_ms` ends the replay (time passing can satisfy min_days).
TrustStanding ReplayTrust(std::vector<TrustEvent> events, const spec::Gates& gates, int64_t now_ms);

}  // namespace gauntlet::gate
