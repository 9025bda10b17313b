#include "deploy/router.h"

#include <set>

namespace gauntlet::deploy {
namespace {

bool Safe(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= ' ' || c >= 0x7f) return false;
    if (std::string_view(";{}#'\"=,\\$`").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

Status ValidateWeights(const std::vector<SlotWeight>& weights) {
  bool any = false;
  std::set<std::string> seen;
  for (const auto& w : weights) {
    if (!Safe(w.slot)) return Error{"slot name '" + w.slot + "' is empty or has unsafe characters"};
    if (!Safe(w.address)) {
      return Error{"address '" + w.address + "' of slot " + w.slot +
                   " is empty or has unsafe characters"};
    }
    if (!seen.insert(w.slot).second) return Error{"slot " + w.slot + " is listed twice"};
    if (w.weight < 0) return Error{"slot " + w.slot + " has a negative weight"};
    any = any || w.weight > 0;
  }
  if (!any) return Error{"no slot has a weight above 0: that would send traffic nowhere"};
  return Ok();
}

}  // namespace gauntlet::deploy
