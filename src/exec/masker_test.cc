#include "exec/masker.h"

#include <gtest/gtest.h>

namespace gauntlet::exec {
namespace {

TEST(MaskerTest, MasksCompleteStrings) {
  Masker m({"hunter2", "", "abc"});
  EXPECT_EQ(m.MaskString("pw=hunter2 and abcabc, hunter"), "pw=*** and ******, hunter");
  EXPECT_EQ(Masker().MaskString("hunter2"), "hunter2");
}

TEST(MaskerTest, LongestSecretWinsAtTheSamePosition) {
  Masker m({"abc", "abcdef"});
  EXPECT_EQ(m.MaskString("xabcdefx abcx"), "x***x ***x");
}

TEST(MaskerTest, EveryTwoWaySplitPointOfTheStream) {
  Masker m({"s3cr3t-value", "tok"});
  const std::string text = "begin s3cr3t-value middle tok s3cr3t-values3cr3t-value end tok";
  const std::string want = m.MaskString(text);
  ASSERT_EQ(want, "begin *** middle *** ****** end ***");
  for (size_t i = 0; i <= text.size(); ++i) {
    for (size_t j = i; j <= text.size(); ++j) {
      Masker::Stream s(&m);
      std::string out;
      s.Write(std::string_view(text).substr(0, i), &out);
      s.Write(std::string_view(text).substr(i, j - i), &out);
      s.Write(std::string_view(text).substr(j), &out);
      s.Flush(&out);
      ASSERT_EQ(out, want) << "split at " << i << "," << j;
    }
  }
}

TEST(MaskerTest, ByteByByte) {
  Masker m({"password"});
  Masker::Stream s(&m);
  std::string out;
  for (char c : std::string("a passwordpassword b passwor")) s.Write(std::string_view(&c, 1), &out);
  s.Flush(&out);
  EXPECT_EQ(out, "a ****** b passwor");
}

TEST(MaskerTest, HoldsBackOnlyATail) {
  Masker m({"12345"});
  Masker::Stream s(&m);
  std::string out;
  s.Write("abcdefgh", &out);
  EXPECT_EQ(out, "abcd");  // the last 4 bytes could start a secret
  s.Write("1234", &out);
  EXPECT_EQ(out, "abcdefgh");
  s.Write("5!", &out);
  s.Flush(&out);
  EXPECT_EQ(out, "abcdefgh***!");
}

}  // namespace
}  // namespace gauntlet::exec
