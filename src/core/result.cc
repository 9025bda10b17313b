#include "core/result.h"

#include <cstring>

namespace gauntlet {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInternal:
      return "internal";
    case ErrorKind::kInvalid:
      return "invalid";
    case ErrorKind::kNotFound:
      return "not_found";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kBusy:
      return "busy";
    case ErrorKind::kStorage:
      return "storage";
  }
  return "internal";
}

Error Error::Errno(const std::string& what, int err) {
  return Error{what + ": " + std::strerror(err)};
}

}  // namespace gauntlet
