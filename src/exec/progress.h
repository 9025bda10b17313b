// Terminal progress for `gauntlet run`: an Observer.
//  - on a TTY, one ninja-like status line rewritten in place:
//      [12/40] running: unit (python=3.12), lint
//  - otherwise plain lines: "start X", "ok X 1.2s", "FAILED X 0.3s: exit code 1";
//  - verbose: every job's output, line by line, prefixed with "[job] ";
//  - output is written once per turn of the event loop (Idle), not once per event;
//  - at the end a summary table (job, result, attempts, duration) and the last lines of
//    each failed job's log. Only a small tail per running job is kept, never a whole log.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "exec/observer.h"

namespace gauntlet::exec {

struct ProgressOptions {
  bool tty = false;
  bool verbose = false;
  int width = 100;          // TTY status line is cut to this many columns
  int tail_lines = 20;      // shown for each failed job
  int full_table_max = 50;  // above this many jobs the table lists only the unsuccessful ones
};

class Progress : public Observer {
 public:
  using Writer = std::function<void(std::string_view)>;
  Progress(ProgressOptions options, Writer write);

  void OnRunStarted(const plan::Plan& plan) override;
  void OnJobStarted(const plan::PlannedJob& job, int attempt) override;
  void OnOutput(const plan::PlannedJob& job, int attempt, std::string_view bytes) override;
  void OnAttemptFinished(const plan::PlannedJob& job, int attempt,
                         const AttemptResult& result) override;
  void OnJobFinished(const plan::PlannedJob& job, const JobResult& result) override;
  void OnRunFinished(const RunResult& result) override;
  // Lines and the status line are collected during a turn of the event loop and
  // written here, in one write, when the scheduler is about to wait.
  void Idle() override;

 private:
  struct Tail {
    std::deque<std::string> lines;
    std::string partial;
  };
  void Print(const std::string& line);  // a permanent line (clears the status line on a TTY)
  void DrawStatus();
  void AddLine(const plan::PlannedJob& job, Tail& tail, std::string line);

  ProgressOptions options_;
  Writer write_;
  const plan::Plan* plan_ = nullptr;
  int total_ = 0;
  int finished_ = 0;
  bool status_shown_ = false;
  bool status_stale_ = false;  // the status line changed since it was drawn
  std::string pending_;        // written at the next Idle
  std::vector<plan::JobId> running_;   // in start order
  std::map<plan::JobId, Tail> tails_;  // running and failed jobs only
  // What the summary table needs of a finished job (not its outputs or reason).
  struct Finished {
    plan::JobId id;
    JobState state;
    bool cached;
    int attempts;
    Micros duration;
  };
  std::vector<Finished> finished_results_;
};

// "1.2s", "250ms", "3m04s".
std::string HumanDuration(Micros d);

}  // namespace gauntlet::exec
