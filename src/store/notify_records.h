// Notifications (docs/pipeline.md, "Notifications"): each delivery of a run's or a
// deployment's end to a `notify:` URL, and each of its attempts. Plain data, shared by
// every Store. URLs and errors are kept with the run's secrets masked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet::store {

struct NotifyAttemptRecord {
  int number = 0;        // 1, 2, ...
  int64_t at_ms = 0;     // when it was sent
  int status_code = 0;   // the HTTP status; 0: no answer (error says why)
  std::string error;     // "" for a 2xx
  int64_t duration_ms = 0;
};

struct NotificationRecord {
  int64_t id = 0;             // assigned by RecordNotification
  int64_t run_id = 0;         // the run the event is about (of a deployment: its run, or 0)
  int64_t deployment_id = 0;  // 0: a run's event
  std::string event;          // success, failure, cancelled, deployed, rolled_back, deploy_failed
  std::string url;            // masked
  std::string state;          // pending | delivered | failed
  int attempts = 0;
  int status_code = 0;        // of the last attempt
  std::string error;          // of the last attempt; why it failed
  int64_t created_ms = 0, finished_ms = 0;
  std::string body;           // the JSON sent
  std::vector<NotifyAttemptRecord> attempt_list;  // oldest first (ListNotifications)
};

struct NotificationFilter {
  int64_t run_id = 0;  // 0: every run
  int limit = 50;
};

}  // namespace gauntlet::store
