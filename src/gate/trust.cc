#include "gate/trust.h"

#include <fmt/core.h>

#include <algorithm>

namespace gauntlet::gate {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string Percent(double fraction) { return fmt::format("{:.1f}%", fraction * 100); }

// The history replayed so far.
class Ladder {
 public:
  explicit Ladder(const spec::Gates& gates) : gates_(gates) {}

  void Merge(int64_t at) {
    if (merges_.empty()) first_ = at;
    merges_.push_back(at);  // replayed in time order: stays sorted
  }
  void Incident(int64_t at) { incidents_.push_back(at); }

  const spec::TrustThreshold& Threshold(int k) const {
    return k == 1 ? gates_.trust_l1 : k == 2 ? gates_.trust_l2 : gates_.trust_l3;
  }

  // Incidents recorded since the start of the last `n` merged changes (all of them for n 0).
  int IncidentsInWindow(int n) const {
    if (merges_.empty()) return static_cast<int>(incidents_.size());
    const int m = static_cast<int>(merges_.size());
    int64_t start = n > 0 && n <= m ? merges_[m - n] : merges_.front();
    return static_cast<int>(std::count_if(incidents_.begin(), incidents_.end(),
                                          [&](int64_t at) { return at >= start; }));
  }

  // "" when level k's own conditions hold at `now`, else what is missing.
  std::string Unmet(int k, int64_t now) const {
    const spec::TrustThreshold& t = Threshold(k);
    const int m = static_cast<int>(merges_.size());
    const std::string level = "L" + std::to_string(k);
    if (m < t.changes) {
      return fmt::format("{} needs {} merged (has {})", level,
                         Plural(t.changes, "change", "changes"), m);
    }
    const int window = t.changes > 0 ? t.changes : std::max(m, 1);
    const int i = IncidentsInWindow(t.changes);
    if (t.max_incident_rate <= 0 && i > 0) {
      return fmt::format("{} allows no incident in the last {} ({} recorded)", level,
                         Plural(window, "change", "changes"), i);
    }
    const double rate = static_cast<double>(i) / window;
    if (t.max_incident_rate > 0 && rate >= t.max_incident_rate) {
      return fmt::format("{} needs an incident rate under {} over the last {} (has {}: {})", level,
                         Percent(t.max_incident_rate), Plural(window, "change", "changes"),
                         Percent(rate), Plural(i, "incident", "incidents"));
    }
    const int days = Days(now);
    if (t.min_days > 0 && (m == 0 || days < t.min_days)) {
      return fmt::format("{} needs {} days of history (has {})", level, t.min_days, days);
    }
    return "";
  }

  // What level k's conditions measured when they held, for a promotion's reason.
  std::string Met(int k, int64_t now) const {
    const spec::TrustThreshold& t = Threshold(k);
    const int m = static_cast<int>(merges_.size());
    const int window = t.changes > 0 ? t.changes : std::max(m, 1);
    const int i = IncidentsInWindow(t.changes);
    std::string s = fmt::format("{} merged, {} in the last {}", Plural(m, "change", "changes"),
                                Plural(i, "incident", "incidents"), window);
    if (t.max_incident_rate > 0) {
      s += fmt::format(" (rate {} < {})", Percent(static_cast<double>(i) / window),
                       Percent(t.max_incident_rate));
    }
    if (t.min_days > 0) s += fmt::format(", {} days of history", Days(now));
    return s;
  }

  int LevelAt(int64_t now) const {
    int level = 0;
    for (int k = 1; k <= 3 && Unmet(k, now).empty(); ++k) level = k;
    return level;
  }

  int Days(int64_t now) const {
    return merges_.empty() ? 0 : static_cast<int>(std::max<int64_t>(0, now - first_) / kDayMs);
  }
  int merged() const { return static_cast<int>(merges_.size()); }
  int incidents() const { return static_cast<int>(incidents_.size()); }
  int64_t first() const { return first_; }

 private:
  const spec::Gates& gates_;
  std::vector<int64_t> merges_;
  std::vector<int64_t> incidents_;
  int64_t first_ = 0;
};

std::string ShortCommit(const std::string& c) { return c.substr(0, 10); }

}  // namespace

std::string_view ToString(TrustLevel t) {
  switch (t) {
    case TrustLevel::kL0:
      return "L0";
    case TrustLevel::kL1:
      return "L1";
    case TrustLevel::kL2:
      return "L2";
    case TrustLevel::kL3:
      return "L3";
  }
  return "L0";
}

bool MayMergeAlone(TrustLevel level, RiskClass risk) {
  switch (level) {
    case TrustLevel::kL0:
      return false;
    case TrustLevel::kL1:
      return risk == RiskClass::kLow;
    case TrustLevel::kL2:
      return risk <= RiskClass::kMedium;
    case TrustLevel::kL3:
      return risk != RiskClass::kCritical;
  }
  return false;
}

std::string_view MaxRiskFor(TrustLevel level) {
  switch (level) {
    case TrustLevel::kL0:
      return "none";
    case TrustLevel::kL1:
      return "low";
    case TrustLevel::kL2:
      return "medium";
    case TrustLevel::kL3:
      return "high";
  }
  return "none";
}

TrustStanding ReplayTrust(std::vector<TrustEvent> events, const spec::Gates& gates,
                          int64_t now_ms) {
  std::stable_sort(events.begin(), events.end(), [](const TrustEvent& a, const TrustEvent& b) {
    if (a.at_ms != b.at_ms) return a.at_ms < b.at_ms;
    return a.kind == TrustEvent::Kind::kMerged && b.kind != TrustEvent::Kind::kMerged;
  });
  Ladder ladder(gates);
  TrustStanding out;
  int level = 0;
  auto settle = [&](int64_t at, const std::string& cause) {
    const int next = ladder.LevelAt(at);
    if (next == level) return;
    TrustChange c;
    c.from = static_cast<TrustLevel>(level);
    c.to = static_cast<TrustLevel>(next);
    c.at_ms = at;
    if (next > level) {
      c.reason = fmt::format("promoted to L{} {}: {}", next, cause, ladder.Met(next, at));
    } else {
      c.reason = fmt::format("demoted to L{} {}: {}", next, cause, ladder.Unmet(next + 1, at));
    }
    out.changes.push_back(std::move(c));
    level = next;
  };
  // Time alone can only promote (min_days). Such a promotion is dated when it became
  // true, not when it was noticed, so that replaying again later gives the same change;
  // it is applied before the next event, which then starts from the promoted level.
  int64_t last = 0;
  auto promote_with_time = [&](int64_t until) {
    const int reached = ladder.LevelAt(until);
    if (reached <= level) return;
    int64_t at = last;
    for (int k = level + 1; k <= reached; ++k) {
      at = std::max(at, ladder.first() + ladder.Threshold(k).min_days * kDayMs);
    }
    settle(std::min(at, until), "with time");
  };
  for (const TrustEvent& e : events) {
    promote_with_time(e.at_ms);
    if (e.kind == TrustEvent::Kind::kMerged) {
      ladder.Merge(e.at_ms);
      settle(e.at_ms, "after merging " + ShortCommit(e.commit));
    } else {
      ladder.Incident(e.at_ms);
      std::string cause = "after an incident on " + ShortCommit(e.commit);
      if (!e.what.empty()) cause += " (" + e.what + ")";
      settle(e.at_ms, cause);
    }
    last = e.at_ms;
  }
  const int64_t end = std::max(now_ms, last);
  promote_with_time(end);

  out.level = static_cast<TrustLevel>(level);
  out.merged = ladder.merged();
  out.incidents = ladder.incidents();
  out.first_ms = ladder.first();
  out.history_days = ladder.Days(end);
  if (level < 3) out.next = ladder.Unmet(level + 1, end);
  if (level == 0) {
    out.why = out.merged == 0 ? "L0 (new: no change merged yet)" : "L0: " + out.next;
  } else {
    out.why = fmt::format("L{}: {}", level, ladder.Met(level, end));
  }
  return out;
}

}  // namespace gauntlet::gate
