#include "exec/masker.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

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

// The stream, fed `text` in three pieces split at every pair of points, gives what
// MaskString gives.
void ExpectSameAtEverySplit(const Masker& m, const std::string& text) {
  const std::string want = m.MaskString(text);
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

TEST(MaskerTest, EveryTwoWaySplitPointOfTheStream) {
  Masker m({"s3cr3t-value", "tok"});
  const std::string text = "begin s3cr3t-value middle tok s3cr3t-values3cr3t-value end tok";
  ASSERT_EQ(m.MaskString(text), "begin *** middle *** ****** end ***");
  ExpectSameAtEverySplit(m, text);
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

// The leftmost match alone would mask "abcd" and print the tail "efgh" of the other.
TEST(MaskerTest, OverlappingSecretsLeaveNoTail) {
  Masker m({"abcd", "cdefgh"});
  EXPECT_EQ(m.MaskString("xxabcdefghyy"), "xx***yy");
  EXPECT_EQ(m.MaskString("cdefghabcd"), "******");  // adjacent, not overlapping
}

TEST(MaskerTest, EachLongLineOfAMultiLineSecret) {
  Masker m({"-----BEGIN KEY-----\nMIIEpAIBAAKCAQEA\r\nab\n-----END KEY-----"});
  EXPECT_EQ(m.MaskString("line: MIIEpAIBAAKCAQEA!"), "line: ***!");
  EXPECT_EQ(m.MaskString("-----END KEY-----"), "***");
  EXPECT_EQ(m.MaskString("ab cd"), "ab cd");  // shorter than kMinLineLength: not alone
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

// `echo -n user:$TOKEN | base64` puts the secret at any offset of a longer encoding.
TEST(MaskerTest, Base64FormsAtEveryAlignment) {
  const std::string secret = "hunter2-secret";
  Masker m({secret});
  for (const std::string prefix : {"", "u", "us", "usr:", "user:", "u:"}) {
    for (const std::string suffix : {"", "!", "!?", "!?#"}) {
      const std::string encoded = Base64(prefix + secret + suffix);
      const std::string masked = m.MaskString("Basic " + encoded);
      ASSERT_NE(masked.find("***"), std::string::npos) << prefix << "|" << suffix;
      // Left: the characters encoding the prefix and the suffix, and at most two on each
      // side that mix their bits with the secret's.
      const size_t around = (4 * prefix.size() + 2) / 3 + 2 + (4 * suffix.size() + 2) / 3 + 2;
      EXPECT_LE(masked.size(), std::string("Basic ***").size() + around) << masked;
    }
  }
  EXPECT_EQ(Masker({"ab1"}).MaskString(Base64("ab1")), Base64("ab1"))
      << "values shorter than kMinEncodedLength have no base64 form";
}

TEST(MaskerTest, JsonAndPercentEncodedForms) {
  Masker m({"p@ss\"word/1"});
  EXPECT_EQ(m.MaskString(R"({"pw": "p@ss\"word/1"})"), R"({"pw": "***"})");
  EXPECT_EQ(m.MaskString("https://x/?pw=p%40ss%22word%2F1&a=1"), "https://x/?pw=***&a=1");
}

TEST(MaskerTest, JsonValuesAreMaskedInsideTheStructure) {
  Masker m({"sec\"ret"});
  nlohmann::json in = {{"name", "test sec\"ret"}, {"sec\"ret", {1, "x sec\"ret"}}};
  nlohmann::json out = m.MaskJson(in);
  EXPECT_EQ(out.dump(), R"({"***":[1,"x ***"],"name":"test ***"})");
}

TEST(MaskerTest, OverlapsAtEverySplitPointOfTheStream) {
  Masker m({"abcd", "cdefgh", "ghij"});
  const std::string text = "..abcdefghij..cdefgh.abcdabcd.";
  ASSERT_EQ(m.MaskString(text), "..***..***.******.");
  ExpectSameAtEverySplit(m, text);
}

}  // namespace
}  // namespace gauntlet::exec
