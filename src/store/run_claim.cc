#include "store/run_claim.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "exec/leftovers.h"

namespace gauntlet::store {

Status CheckResumable(const RunRecord& run, bool* busy) {
  *busy = false;
  if (run.status == RunStatus::kInterrupted || run.status == RunStatus::kCancelled ||
      StoppedByStorageError(run))
    return Ok();
  if (run.status == RunStatus::kRunning) {
    if (run.engine_host != HostName()) {
      *busy = true;
      return Error{fmt::format("run {} is driven by an engine on host '{}' (pid {})", run.id,
                               run.engine_host, run.engine_pid)};
    }
    if (!ProcessAlive(run.engine_pid)) return Ok();  // its engine died
    *busy = true;
    return Error{
        fmt::format("run {} is running: its engine is pid {} (stop it with "
                    "`gauntlet cancel {}`)",
                    run.id, run.engine_pid, run.id)};
  }
  return Error{
      fmt::format("run {} is {}: only an interrupted or cancelled run can be "
                  "resumed (use `gauntlet retry {}` to re-run failed jobs)",
                  run.id, ToString(run.status), run.id)};
}

Result<RunRecord> ClaimRun(Store& store, RunId id, int64_t pid, const std::string& host,
                           bool* busy) {
  *busy = false;
  auto read = store.GetRun(id);
  if (!read.ok()) return read.error();
  if (!*read) return Error{fmt::format("no run {}", id)};
  RunRecord run = **read;
  if (Status s = CheckResumable(run, busy); !s.ok()) return s.error();
  auto won = store.ClaimRun(run, pid, host);
  if (!won.ok()) return won.error();
  if (!*won) {
    // Someone changed the run between the read and the claim: say who, as it is now.
    auto now = store.GetRun(id);
    *busy = true;
    if (now.ok() && *now && (*now)->status == RunStatus::kRunning)
      return Error{
          fmt::format("run {} was just taken over by another engine (pid {} on host "
                      "'{}')",
                      id, (*now)->engine_pid, (*now)->engine_host)};
    return Error{fmt::format("run {} changed while it was being claimed (it is now {})", id,
                             now.ok() && *now ? std::string(ToString((*now)->status)) : "gone")};
  }
  run.status = RunStatus::kRunning;
  run.engine_pid = pid;
  run.engine_host = host;
  return run;
}

Result<int> KillLeftovers(Store& store, const std::string& state_key) {
  // The caller holds the state directory's engine lock: no engine of it is alive, so
  // every run of this host still `running` lost its engine (even if its pid was reused).
  std::vector<std::string> prefixes;
  const std::string host = HostName();
  auto list = [&](RunStatus status, int limit) -> Status {
    RunFilter f;
    f.status = status;
    f.limit = limit;
    auto runs = store.ListRuns(f);
    if (!runs.ok()) return runs.error();
    for (const RunRecord& r : *runs) {
      if (status == RunStatus::kRunning && r.engine_host != host) continue;
      if (status == RunStatus::kFailed && !StoppedByStorageError(r)) continue;
      prefixes.push_back(state_key + "/" + std::to_string(r.id));
    }
    return Ok();
  };
  if (Status s = list(RunStatus::kRunning, 100); !s.ok()) return s.error();
  if (Status s = list(RunStatus::kInterrupted, 100); !s.ok()) return s.error();
  if (Status s = list(RunStatus::kFailed, 20); !s.ok()) return s.error();
  return exec::KillTagged(prefixes, std::chrono::seconds(10));
}

Result<std::vector<int>> AttemptsMade(Store& store, RunId run, const LogWriter& log, size_t jobs) {
  std::vector<int> made(jobs, 0);
  auto rows = store.GetJobs(run);
  if (!rows.ok()) return rows.error();
  for (const JobRecord& j : *rows) {
    if (j.index >= 0 && static_cast<size_t>(j.index) < jobs) made[j.index] = j.attempts;
  }
  auto attempts = store.GetAttempts(run, std::nullopt);
  if (!attempts.ok()) return attempts.error();
  for (const AttemptRecord& a : *attempts) {
    if (a.job_index >= 0 && static_cast<size_t>(a.job_index) < jobs)
      made[a.job_index] = std::max(made[a.job_index], a.number);
  }
  for (size_t i = 0; i < jobs; ++i)
    made[i] = std::max<int>(made[i], log.LastAttempt(static_cast<uint32_t>(i)));
  return made;
}

}  // namespace gauntlet::store
