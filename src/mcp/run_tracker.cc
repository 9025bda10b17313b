#include "mcp/run_tracker.h"

#include <chrono>
#include <thread>

#include "exec/observer.h"

namespace gauntlet::mcp {

// One run: its pipeline (the handle points into it), its counts and its handle.
struct RunTracker::Tracked : exec::Observer {
  std::unique_ptr<engine::LoadedPipeline> pipeline;
  std::unique_ptr<engine::RunHandle> handle;
  std::mutex mu;
  std::condition_variable changed;
  int total = 0, done = 0;
  std::string last_job;
  bool ended = false;
  // Waits on the handle and marks the end: a run its change filter skipped ends without
  // any scheduler event, so the end is the handle's, not OnRunFinished.
  std::thread waiter;
  const std::function<void()>* on_change = nullptr;  // the tracker's OnChange

  void Changed() {
    if (on_change && *on_change) (*on_change)();
  }
  void OnJobStarted(const plan::PlannedJob&, int) override { Changed(); }

  void OnRunStarted(const plan::Plan& plan) override {
    std::lock_guard lock(mu);
    total = static_cast<int>(plan.jobs.size());
  }
  void OnJobFinished(const plan::PlannedJob& job, const exec::JobResult&) override {
    {
      std::lock_guard lock(mu);
      ++done;
      last_job = job.name;
    }
    changed.notify_all();
    Changed();
  }
  void Ended() {
    {
      std::lock_guard lock(mu);
      ended = true;
    }
    changed.notify_all();
    Changed();
  }
};

RunTracker::~RunTracker() { CancelAll(); }

Result<store::RunId> RunTracker::Start(std::unique_ptr<engine::LoadedPipeline> pipeline,
                                       engine::RunRequest request) {
  auto t = std::make_shared<Tracked>();
  t->pipeline = std::move(pipeline);
  t->on_change = &changed_;
  request.pipeline = t->pipeline.get();
  request.observer = t.get();
  auto handle = engine::StartRun(std::move(request));
  if (!handle.ok()) return handle.error();
  t->handle = std::move(*handle);
  const store::RunId id = t->handle->run_id();
  // The handle goes once the run has ended: it holds the workspace's engine lock, and
  // the session's next run needs it.
  t->waiter = std::thread([raw = t.get()] {
    raw->handle->Wait();
    std::unique_ptr<engine::RunHandle> ended;
    {
      std::lock_guard lock(raw->mu);
      ended = std::move(raw->handle);
    }
    ended.reset();
    raw->Ended();
  });
  std::lock_guard lock(mu_);
  runs_[id] = std::move(t);
  return id;
}

RunTracker::Waited RunTracker::Wait(
    store::RunId id, const std::atomic<bool>* cancelled,
    const std::function<void(int, int, const std::string&)>& progress) {
  std::shared_ptr<Tracked> t;
  {
    std::lock_guard lock(mu_);
    auto it = runs_.find(id);
    if (it == runs_.end()) return Waited::kNotTracked;
    t = it->second;
  }
  int reported = -1;
  std::unique_lock lock(t->mu);
  while (true) {
    if (t->done != reported) {
      reported = t->done;
      const int done = t->done, total = t->total;
      const std::string job = t->last_job;
      lock.unlock();
      if (progress) progress(done, total, job);
      lock.lock();
      continue;
    }
    if (t->ended) break;
    if (cancelled && cancelled->load()) return Waited::kCancelled;
    // The cancellation flag has no condition variable of its own: look at it each second.
    t->changed.wait_for(lock, std::chrono::seconds(1));
  }
  return Waited::kEnded;
}

bool RunTracker::Cancel(store::RunId id) {
  std::lock_guard lock(mu_);
  auto it = runs_.find(id);
  if (it == runs_.end()) return false;
  std::lock_guard run_lock(it->second->mu);
  if (it->second->handle) it->second->handle->Cancel();
  return true;
}

void RunTracker::CancelAll() {
  std::map<store::RunId, std::shared_ptr<Tracked>> runs;
  {
    std::lock_guard lock(mu_);
    runs.swap(runs_);
  }
  for (auto& [id, t] : runs) {
    std::lock_guard lock(t->mu);
    if (t->handle) t->handle->Cancel();
  }
  for (auto& [id, t] : runs) t->waiter.join();
}

}  // namespace gauntlet::mcp
