#include "exec/results.h"

namespace gauntlet::exec {

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::kSuccess:
      return "success";
    case JobState::kFailed:
      return "failed";
    case JobState::kSkipped:
      return "skipped";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "?";
}

const char* RunStateName(RunState s) {
  switch (s) {
    case RunState::kSuccess:
      return "success";
    case RunState::kFailed:
      return "failed";
    case RunState::kCancelled:
      return "cancelled";
  }
  return "?";
}

}  // namespace gauntlet::exec
