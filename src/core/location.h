// Where something stands in a source file (1-based line and column).
#pragma once

#include <string>

namespace gauntlet {

struct Location {
  std::string file;
  int line = 0;  // 0: unknown
  int col = 0;
};

}  // namespace gauntlet
