// The runs a session started: `run` starts one through engine::StartRun and answers at
// once; `run_status` with wait (or `run` with wait) follows it to its end here, turning
// its job events into progress. Thread-safe. A session that ends cancels the runs it
// started and waits for them (recorded as cancelled, resumable).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "engine/pipeline.h"
#include "engine/run.h"

namespace gauntlet::mcp {

class RunTracker {
 public:
  RunTracker() = default;
  ~RunTracker();  // CancelAll()

  // Starts the run (`request.pipeline` is set to `pipeline`, which the tracker keeps);
  // errors are StartRun's.
  Result<store::RunId> Start(std::unique_ptr<engine::LoadedPipeline> pipeline,
                             engine::RunRequest request);

  enum class Waited { kNotTracked, kEnded, kCancelled };
  // Blocks until the run ends (or `cancelled` turns true), calling `progress(done, total,
  // job)` when a job finishes. kNotTracked: not a run of this session (nothing to wait on).
  Waited Wait(store::RunId id, const std::atomic<bool>* cancelled,
              const std::function<void(int done, int total, const std::string& job)>& progress);

  // Called (on the run's threads) whenever a run of this session starts or ends a job or
  // ends; set before the first Start.
  void OnChange(std::function<void()> changed) { changed_ = std::move(changed); }

  // Cancels one run of this session (false: not one of its runs).
  bool Cancel(store::RunId id);
  // Cancels every run still going and waits for their ends.
  void CancelAll();

 private:
  struct Tracked;
  std::function<void()> changed_;
  std::mutex mu_;
  std::map<store::RunId, std::shared_ptr<Tracked>> runs_;
};

}  // namespace gauntlet::mcp
