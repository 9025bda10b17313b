// Traffic routers: how a deploy moves traffic between slots (nginx upstream weights, or
// the user's own switch command). Implementations: nginx_router.h, command_router.h.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/clock.h"

namespace gauntlet::deploy {

struct SlotWeight {
  std::string slot;     // "blue", "green", "canary", an instance name
  std::string address;  // host:port the router sends traffic to
  int weight = 0;       // relative; 0 = no traffic
};

class Router {
 public:
  virtual ~Router() = default;
  // Applies the weights, all at once: true when the routing changed, false when exactly
  // these weights were already in effect and nothing was done (nginx is not reloaded, so
  // its idle keep-alive connections stay open). On error the previous routing stays.
  virtual Result<bool> SetWeights(const std::vector<SlotWeight>& weights) = 0;
  // Waits, through `clock` and at most `timeout`, until the connections opened under the
  // routing before the last change have ended (nginx: the old workers of its reload have
  // exited), so a slot that no longer gets traffic can be stopped. Says what it waited
  // for ("" when there was nothing to wait for); an Error when the timeout came first.
  virtual Result<std::string> AwaitOldConnections(Clock& clock, Duration timeout) {
    return std::string();
  }
};

// Rejects what no router should apply: no slot with weight > 0, negative weights,
// duplicate slots, and names/addresses with characters that could escape a config
// file or an environment variable (whitespace, ';', '{', '}', '#', quotes, '=', ',').
Status ValidateWeights(const std::vector<SlotWeight>& weights);

}  // namespace gauntlet::deploy
