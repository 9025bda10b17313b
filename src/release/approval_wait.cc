#include "release/approval_wait.h"

#include <fmt/core.h>

#include <algorithm>

namespace gauntlet::release {
namespace {

std::string Left(int64_t ms) {
  const int64_t minutes = std::max<int64_t>(ms, 0) / 60000;
  return fmt::format("{}h{:02}m", minutes / 60, minutes % 60);
}

}  // namespace

Result<store::ApprovalRecord> WaitForApproval(store::ApprovalBook& book, const ApprovalWait& w) {
  Clock& clock = *w.clock;
  auto used = book.Consume(w.action, clock.UnixMs());
  if (!used.ok()) return used.error();
  if (*used) return **used;
  auto latest = book.Latest(w.action, clock.UnixMs());
  if (!latest.ok()) return latest.error();
  if (*latest && (*latest)->state == "denied") return **latest;
  auto asked = book.Request(w.action, clock.UnixMs());
  if (!asked.ok()) return asked.error();
  if (w.on_pending) w.on_pending(*asked);
  if (!w.wait) return *asked;
  const int64_t note_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(w.note_every).count();
  int64_t next_note = clock.UnixMs() + note_ms;
  for (;;) {
    const int64_t now = clock.UnixMs();
    auto r = book.Get(asked->id, now);
    if (!r.ok()) return r.error();
    if (!*r) return Error::NotFound(fmt::format("approval request {} disappeared", asked->id));
    if ((*r)->state == "approved") {
      auto c = book.Consume(w.action, now);
      if (!c.ok()) return c.error();
      if (!*c)
        return Error::Conflict(fmt::format("approval {} was used by another release", asked->id));
      return **c;
    }
    if ((*r)->state != "pending") return **r;  // denied or expired
    if (w.cancelled && w.cancelled())
      return Error::Conflict(fmt::format(
          "cancelled while waiting for approval {} (still pending: run the release again to "
          "wait on it)",
          asked->id));
    // Wake at the first millisecond the request is expired, not a poll later.
    const int64_t expires = (*r)->requested_ms + store::kApprovalTtlMs + 1;
    if (now >= next_note && w.print) {
      w.print(
          fmt::format("still waiting for approval {} ({} left): a person runs `gauntlet "
                      "approve {}`",
                      asked->id, Left(expires - now), asked->id));
      next_note = now + note_ms;
    }
    const auto until_expiry = std::chrono::milliseconds(std::max<int64_t>(expires - now, 1));
    clock.SleepFor(std::min<Duration>(w.poll, std::chrono::duration_cast<Duration>(until_expiry)));
  }
}

std::string DecisionLine(const store::ApprovalRecord& r) {
  if (r.state == "expired")
    return fmt::format("approval {} expired: nobody decided within 24 h", r.id);
  return fmt::format("approval {} {} by {}{}", r.id, r.state, r.decided_by,
                     r.reason.empty() ? "" : " (" + r.reason + ")");
}

}  // namespace gauntlet::release
