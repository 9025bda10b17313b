// The schedules of `on: schedule`, as the server runs them: read from the pipeline file at
// the head of each watched repository's current branch, each schedule's last fire time
// kept in server.db. A slot fires once: at its time, or, if the server was down then,
// once at the next start for the latest slot missed (not once per missed slot).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/cron.h"
#include "server/server_db.h"

namespace gauntlet::server {

struct WatchedSchedule {
  std::string repo;    // the watched repository's name
  std::string branch;  // where the pipeline file was read: the head of this branch
  std::string commit;
  std::string cron;
  std::string zone;  // "" is UTC
  CronSchedule when;
  // `release.schedule` (docs/release.md): the slot queues a release, not a run.
  bool release = false;
  std::string release_when = "green";  // green | always
  // A workflow's schedule: its file (.github/workflows/x.yml), which the slot runs; "" for
  // the configured pipeline file.
  std::string file{};
  // What server.db keys its last fire by: a changed expression or zone starts afresh.
  std::string Key() const {
    return (release ? "release\n" : "") + (file.empty() ? "" : file + "\n") + repo + "\n" +
           cron + "\n" + zone;
  }
};

// The schedules at the head of `source` (a local repository): the `on: schedule` entries
// of the pipeline file `pipeline`, then its `release.schedule` if it has one, then the
// `on: schedule` entries of each workflow (.github/workflows/*.yml, *.yaml, sorted). An
// empty list when no file names a schedule; kInvalid, naming file:line:col, when a file
// does not load (the other files' schedules are still watched: see `problems`).
Result<std::vector<WatchedSchedule>> ReadSchedules(const std::string& repo_name,
                                                   const std::string& source,
                                                   const std::string& pipeline,
                                                   std::vector<std::string>* problems = nullptr);

struct FireResult {
  std::vector<QueueItem> queued;  // with their ids
  std::optional<int64_t> next_s;  // the earliest next fire time; nullopt: none
  std::vector<std::string> errors;
};

// Queues what is due at `now_s` and says when to look again. A schedule seen for the first
// time starts counting at `now_s`.
// Whether `payload` (a SchedulePayload) names the schedule `cron` in `zone` ("" is UTC).
bool PayloadNames(const std::string& payload, const std::string& cron, const std::string& zone);

FireResult FireDue(ServerDb& db, const std::vector<WatchedSchedule>& schedules, int64_t now_s);

// The payload of a scheduled item (and so a run's event): the expression, its zone and
// the slot it fires for; a release's also says `release: true` and its `when`.
std::string SchedulePayload(const WatchedSchedule& s, int64_t slot_s);

}  // namespace gauntlet::server
