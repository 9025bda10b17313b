#include "deploy/command_router.h"

#include <utility>

namespace gauntlet::deploy {
namespace {

std::string EnvSuffix(const std::string& slot) {
  std::string out;
  for (unsigned char c : slot) out += isalnum(c) ? static_cast<char>(toupper(c)) : '_';
  return out;
}

}  // namespace

CommandRouter::CommandRouter(std::vector<std::string> argv, CommandRunner run, Duration timeout)
    : argv_(std::move(argv)), run_(std::move(run)), timeout_(timeout) {}

CommandRequest CommandRouter::Request(const std::vector<SlotWeight>& weights) const {
  CommandRequest req;
  req.argv = argv_;
  req.timeout = timeout_;
  std::string all;
  for (const auto& w : weights) {
    std::string pair = w.slot + "=" + std::to_string(w.weight);
    req.argv.push_back(pair);
    all += (all.empty() ? "" : ",") + pair;
    req.env.emplace_back("GAUNTLET_WEIGHT_" + EnvSuffix(w.slot), std::to_string(w.weight));
    req.env.emplace_back("GAUNTLET_ADDRESS_" + EnvSuffix(w.slot), w.address);
  }
  req.env.emplace_back("GAUNTLET_WEIGHTS", all);
  return req;
}

// The command runs on every change, even to the weights it set last: it is the user's
// switch, and only it knows what it has applied (it must be idempotent).
Result<bool> CommandRouter::SetWeights(const std::vector<SlotWeight>& weights) {
  if (argv_.empty()) return Error{"no router command configured"};
  if (auto s = ValidateWeights(weights); !s) return s.error();
  auto r = run_(Request(weights));
  if (!r) return r.error();
  if (r->timed_out) return Error{"router command timed out"};
  if (r->exit_code != 0) {
    return Error{"router command failed (exit " + std::to_string(r->exit_code) + "): " + r->output};
  }
  return true;
}

}  // namespace gauntlet::deploy
