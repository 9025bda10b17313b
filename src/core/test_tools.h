// For tests that need a tool scripts/install-deps installs (nginx, node and node-ajv,
// clang): where it is missing the test is skipped, except when GAUNTLET_REQUIRE_TOOLS=1
// (scripts/test sets it, and so CI), where its absence fails the test — a suite must
// never pass because what it checks did not run (docs/testing.md).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace gauntlet::testing {

inline bool ToolsRequired() {
  const char* required = std::getenv("GAUNTLET_REQUIRE_TOOLS");
  return required != nullptr && std::string_view(required) == "1";
}

}  // namespace gauntlet::testing

// In a test body or SetUp(): returns from it (skipped or failed) when `present` is false.
#define GAUNTLET_NEED_TOOL(present, what)                                          \
  do {                                                                             \
    if (!(present)) {                                                              \
      if (::gauntlet::testing::ToolsRequired())                                    \
        FAIL() << what << " is not installed (scripts/install-deps)";              \
      GTEST_SKIP() << what << " is not installed (scripts/install-deps)";          \
    }                                                                              \
  } while (0)
