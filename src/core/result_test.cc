#include "core/result.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace gauntlet {
namespace {

Result<int> Half(int n) {
  if (n % 2) return Error{"odd"};
  return n / 2;
}

TEST(ResultTest, CarriesValueOrError) {
  auto a = Half(4);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 2);
  auto b = Half(3);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "odd");
}

TEST(ResultTest, ErrnoNamesTheCall) {
  EXPECT_EQ(Error::Errno("open x", ENOENT).message, "open x: No such file or directory");
}

}  // namespace
}  // namespace gauntlet
