// SIGINT and SIGTERM for a command that drives the engine: they are read on a thread of
// their own (through a signalfd) and turned into a call, e.g. RunHandle::Cancel, instead
// of killing the process. The engine itself never touches signals.
#pragma once

#include <atomic>
#include <mutex>
#include <functional>
#include <thread>

namespace gauntlet::cli {

class CancelOnSignals {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread (and so in every thread it starts
  // later) and calls `on_signal` on the watcher's thread for each one that arrives.
  // Call before starting the engine's threads.
  explicit CancelOnSignals(std::function<void()> on_signal);
  // Stops watching. The signals stay blocked: the command is ending.
  ~CancelOnSignals();
  CancelOnSignals(const CancelOnSignals&) = delete;
  CancelOnSignals& operator=(const CancelOnSignals&) = delete;

  // The first signal that arrived, 0 if none.
  int signal() const { return signal_; }
  // Replaces the call (before anything could arrive: set once the handle exists).
  void Then(std::function<void()> on_signal);

 private:
  void Watch();
  int signal_fd_ = -1;
  int stop_fd_ = -1;
  std::atomic<int> signal_{0};
  std::mutex mu_;
  std::function<void()> on_signal_;  // guarded by mu_
  std::jthread thread_;
};

}  // namespace gauntlet::cli
