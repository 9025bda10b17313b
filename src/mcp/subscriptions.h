// A session's resource subscriptions (resources/subscribe): for each subscribed run or
// deployments resource, `notifications/resources/updated` is sent once its state in the
// store changes (a job started or finished, the run ended, a deployment moved a step).
//
// One watcher thread per session, started by the first subscription. It looks at the
// store when kicked (Kick: the session's own runs call it on every job event, so those
// updates come at once) and every kPollInterval otherwise, since runs and deployments of
// other processes (the CLI, the server) have no way to kick it. A change is a change of a
// fingerprint of the states (never of times that move on their own), so a quiet resource
// sends nothing.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/result.h"
#include "mcp/tool.h"

namespace gauntlet::mcp {

inline constexpr std::chrono::milliseconds kPollInterval{250};

// What a resource's state is, as a string that changes exactly when it does: a run's
// status and each job's status and attempts; an environment's deployments with their
// state, phase, step and weight. NotFound for a URI that is not a run or deployments
// resource.
Result<std::string> ResourceFingerprint(const Workplace& w, const std::string& uri);

class Subscriptions {
 public:
  using Send = std::function<void(const nlohmann::json&)>;
  Subscriptions(Workplace workplace, Send send);
  ~Subscriptions();  // Stop()

  // Subscribes to `uri` (again: no change). NotFound for a resource that does not exist.
  Status Subscribe(const std::string& uri);
  // False when `uri` was not subscribed.
  bool Unsubscribe(const std::string& uri);
  // Something may have changed: look now.
  void Kick();
  void Stop();

 private:
  void Watch();

  const Workplace workplace_;
  const Send send_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> fingerprints_;  // by URI
  bool kicked_ = false, stopping_ = false;
  std::thread watcher_;
};

}  // namespace gauntlet::mcp
