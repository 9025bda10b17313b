#include "core/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace gauntlet {
namespace {

TEST(HashTest, StreamingEqualsOneShotAndHexRoundTrips) {
  const std::string text(100000, 'x');
  Hasher h;
  h.Update(text.substr(0, 12345));
  h.Update(text.substr(12345));
  EXPECT_EQ(h.Final(), HashBytes(text));
  EXPECT_NE(HashBytes("a"), HashBytes("b"));
  const Digest d = HashBytes("hello");
  const std::string hex = d.Hex();
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_TRUE(IsDigestHex(hex));
  auto back = Digest::FromHex(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, d);
  EXPECT_FALSE(Digest::FromHex("../../etc/passwd").ok());
  EXPECT_FALSE(IsDigestHex(std::string(32, 'G')));
}

TEST(HashTest, FieldsAreLengthPrefixed) {
  Hasher a, b;
  a.Field("ab");
  a.Field("c");
  b.Field("a");
  b.Field("bc");
  EXPECT_NE(a.Final(), b.Final());
}

}  // namespace
}  // namespace gauntlet
