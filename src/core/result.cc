#include "core/result.h"

#include <cstring>

namespace gauntlet {

Error Error::Errno(const std::string& what, int err) {
  return Error{what + ": " + std::strerror(err)};
}

}  // namespace gauntlet
