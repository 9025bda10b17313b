// A run's events for GET /api/v1/events, beside the queue's: each job's start and end
// (with its status), the run's end, and its deploy stages' steps and outcome. Published
// from the run's threads (the scheduler's, a deploy stage's).
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exec/observer.h"
#include "server/events.h"

namespace gauntlet::server {

class RunEvents : public exec::Observer {
 public:
  // `about`: what every event carries (repo, queue, pipeline).
  RunEvents(EventBus* bus, nlohmann::json about) : bus_(bus), about_(std::move(about)) {}

  // The run's id, known once the engine has started it. Jobs may start before: their
  // events wait here, in order, and go out with the id.
  void SetRun(int64_t run_id);
  // The run ended with `status` (success, failed, cancelled, ...).
  void RunFinished(const std::string& status);
  // A progress line of deploy stage `job` (engine::RunRequest::deploy_line).
  void DeployLine(const std::string& job, const std::string& line);

  void OnJobStarted(const plan::PlannedJob& job, int attempt) override;
  void OnJobFinished(const plan::PlannedJob& job, const exec::JobResult& result) override;

 private:
  void Publish(const std::string& type, nlohmann::json data);

  EventBus* bus_;
  nlohmann::json about_;
  std::mutex mu_;
  int64_t run_id_ = 0;  // under mu_
  std::vector<std::pair<std::string, nlohmann::json>> held_;  // before SetRun, under mu_
};

}  // namespace gauntlet::server
