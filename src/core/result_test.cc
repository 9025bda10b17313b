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

TEST(ResultTest, KindDefaultsToInternalAndIsKeptByTheNamedConstructors) {
  EXPECT_EQ(Error{"x"}.kind, ErrorKind::kInternal);
  EXPECT_EQ(Error::Errno("open x", ENOENT).kind, ErrorKind::kInternal);
  EXPECT_EQ(Error::Invalid("x").kind, ErrorKind::kInvalid);
  EXPECT_EQ(Error::NotFound("x").kind, ErrorKind::kNotFound);
  EXPECT_EQ(Error::Conflict("x").kind, ErrorKind::kConflict);
  EXPECT_EQ(Error::Unavailable("x").kind, ErrorKind::kUnavailable);
  EXPECT_STREQ(ErrorKindName(ErrorKind::kNotFound), "not_found");
  // A Result keeps the kind of the error it carries.
  Result<int> r = Error::Conflict("held");
  EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
}

TEST(ResultTest, ErrnoNamesTheCall) {
  EXPECT_EQ(Error::Errno("open x", ENOENT).message, "open x: No such file or directory");
}

}  // namespace
}  // namespace gauntlet
