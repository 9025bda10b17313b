#include "exec/progress.h"

#include <algorithm>
#include <cstdio>

namespace gauntlet::exec {
namespace {

constexpr size_t kMaxLine = 1024;  // longer lines are cut in the tail

std::string Pad(std::string s, size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

}  // namespace

std::string HumanDuration(Micros d) {
  char buf[32];
  long long ms = d.count() / 1000;
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", ms);
  } else if (ms < 60000) {
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", ms / 60000, (ms / 1000) % 60);
  }
  return buf;
}

Progress::Progress(ProgressOptions options, Writer write)
    : options_(options), write_(std::move(write)) {}

void Progress::Print(const std::string& line) {
  if (options_.tty && status_shown_) pending_ += "\r\x1b[K";
  pending_ += line;
  pending_ += '\n';
  status_shown_ = false;
  status_stale_ = options_.tty;
}

void Progress::Idle() {
  if (status_stale_) DrawStatus();
  if (pending_.empty()) return;
  write_(pending_);
  pending_.clear();
}

void Progress::DrawStatus() {
  status_stale_ = false;
  if (!options_.tty || running_.empty()) return;
  std::string s = "[";  // built piecewise: GCC 12 -O3 false -Wrestrict on "[" + string
  s.append(std::to_string(finished_)).append("/").append(std::to_string(total_));
  s.append("] running: ");
  for (size_t i = 0; i < running_.size(); ++i) {
    if (i) s += ", ";
    s += plan_->jobs[running_[i]].name;
  }
  if (static_cast<int>(s.size()) > options_.width && options_.width > 3) {
    s.resize(options_.width - 3);
    s += "...";
  }
  pending_ += '\r';
  pending_ += s;
  pending_ += "\x1b[K";
  status_shown_ = true;
}

void Progress::OnRunStarted(const plan::Plan& plan) {
  plan_ = &plan;
  total_ = static_cast<int>(plan.jobs.size());
}

void Progress::OnJobStarted(const plan::PlannedJob& job, int attempt) {
  if (std::find(running_.begin(), running_.end(), job.id) == running_.end()) {
    running_.push_back(job.id);
  }
  // A tail is made on a job's first output; a retry keeps the earlier attempt's (it
  // explains the retry).
  if (!options_.tty) {
    Print(attempt == 1 ? "start " + job.name
                       : "retry " + job.name + " (attempt " + std::to_string(attempt) + ")");
  } else {
    status_stale_ = true;
  }
}

void Progress::AddLine(const plan::PlannedJob& job, Tail& tail, std::string line) {
  if (options_.verbose) Print("[" + job.name + "] " + line);
  if (line.size() > kMaxLine) line.resize(kMaxLine);
  tail.lines.push_back(std::move(line));
  while (static_cast<int>(tail.lines.size()) > options_.tail_lines) tail.lines.pop_front();
}

void Progress::OnOutput(const plan::PlannedJob& job, int attempt, std::string_view bytes) {
  Tail& tail = tails_[job.id];
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      // Keep at most one line's worth of a partial line; the rest is cut.
      size_t room = kMaxLine > tail.partial.size() ? kMaxLine - tail.partial.size() : 0;
      tail.partial.append(bytes.substr(0, room));
      return;
    }
    size_t room = kMaxLine > tail.partial.size() ? kMaxLine - tail.partial.size() : 0;
    tail.partial.append(bytes.substr(0, std::min(nl, room)));
    AddLine(job, tail, std::move(tail.partial));
    tail.partial.clear();
    bytes.remove_prefix(nl + 1);
  }
}

void Progress::OnAttemptFinished(const plan::PlannedJob& job, int attempt,
                                 const AttemptResult& result) {
  auto it = tails_.find(job.id);
  if (it != tails_.end() && !it->second.partial.empty()) {
    AddLine(job, it->second, std::move(it->second.partial));
    it->second.partial.clear();
  }
}

void Progress::OnJobFinished(const plan::PlannedJob& job, const JobResult& result) {
  ++finished_;
  running_.erase(std::remove(running_.begin(), running_.end(), job.id), running_.end());
  bool failed = result.state == JobState::kFailed;
  if (!failed) tails_.erase(job.id);
  finished_results_.push_back(
      {job.id, result.state, result.cached, result.attempts, result.duration});
  std::string d = HumanDuration(result.duration);
  std::string line;
  switch (result.state) {
    case JobState::kSuccess:
      line = result.cached ? "cached " + job.name : "ok " + job.name + " " + d;
      break;
    case JobState::kFailed:
      line = (result.continued_on_error ? "failed (continuing) " : "FAILED ") + job.name + " " + d +
             ": " + result.reason;
      break;
    case JobState::kSkipped:
      line = "skipped " + job.name + (result.reason.empty() ? "" : ": " + result.reason);
      break;
    case JobState::kCancelled:
      // "run cancelled" says nothing the run's own line does not; other reasons do
      // (a matrix's fail-fast, a storage failure).
      line = "cancelled " + job.name +
             (result.reason.empty() || result.reason == "run cancelled" ? "" : ": " + result.reason);
      break;
  }
  if (result.resumed) line += " (from the previous run)";
  // On a TTY only what needs attention gets a permanent line; the rest is the status line.
  if (!options_.tty || failed) {
    Print(line);
  } else {
    status_stale_ = true;
  }
}

void Progress::OnRunFinished(const RunResult& result) {
  status_stale_ = false;
  if (options_.tty && status_shown_) {
    pending_ += "\r\x1b[K";
    status_shown_ = false;
  }
  if (!pending_.empty()) write_(pending_);
  pending_.clear();
  bool full = total_ <= options_.full_table_max;
  size_t w = 3;
  for (const Finished& f : finished_results_) w = std::max(w, plan_->jobs[f.id].name.size());
  std::string table = Pad("job", w) + "  " + Pad("result", 9) + "  attempts  duration\n";
  int listed = 0;
  for (const Finished& r : finished_results_) {
    if (!full && r.state == JobState::kSuccess) continue;
    ++listed;
    table += Pad(plan_->jobs[r.id].name, w) + "  " +
             Pad(r.cached ? "cached" : JobStateName(r.state), 9) + "  " +
             Pad(std::to_string(r.attempts), 8) + "  " + HumanDuration(r.duration) + "\n";
  }
  if (listed > 0) write_(table);
  for (const Finished& r : finished_results_) {
    const plan::JobId id = r.id;
    auto it = tails_.find(id);
    if (r.state != JobState::kFailed || it == tails_.end() || it->second.lines.empty()) continue;
    write_("--- " + plan_->jobs[id].name + ": last " + std::to_string(it->second.lines.size()) +
           " lines ---\n");
    for (const std::string& l : it->second.lines) write_(l + "\n");
  }
  write_(std::string(RunStateName(result.state)) + ": " + std::to_string(result.succeeded) +
         " succeeded" +
         (result.cached ? " (" + std::to_string(result.cached) + " cached)" : std::string()) +
         ", " + std::to_string(result.failed) + " failed, " + std::to_string(result.skipped) +
         " skipped, " + std::to_string(result.cancelled) + " cancelled in " +
         HumanDuration(result.wall) + "\n");
}

}  // namespace gauntlet::exec
