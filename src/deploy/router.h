// Traffic routers: how a deploy moves traffic between slots (nginx upstream weights, or
// the user's own switch command). Implementations: nginx_router.h, command_router.h.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::deploy {

struct SlotWeight {
  std::string slot;     // "blue", "green", "canary", an instance name
  std::string address;  // host:port the router sends traffic to
  int weight = 0;       // relative; 0 = no traffic
};

class Router {
 public:
  virtual ~Router() = default;
  // Applies the weights, all at once. On error the previous routing stays in effect.
  virtual Status SetWeights(const std::vector<SlotWeight>& weights) = 0;
};

// Rejects what no router should apply: no slot with weight > 0, negative weights,
// duplicate slots, and names/addresses with characters that could escape a config
// file or an environment variable (whitespace, ';', '{', '}', '#', quotes, '=', ',').
Status ValidateWeights(const std::vector<SlotWeight>& weights);

}  // namespace gauntlet::deploy
