#include "server/crypto.h"

#include <gtest/gtest.h>

namespace gauntlet::server {
namespace {

// The example of GitHub's "Validating webhook deliveries" page: a signature computed
// by GitHub, not by this code.
TEST(ServerCrypto, GithubsDocumentedExampleVerifies) {
  const std::string secret = "It's a Secret to Everybody";
  const std::string body = "Hello, World!";
  const std::string header =
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  EXPECT_TRUE(VerifyGithubSignature(secret, body, header));
  EXPECT_FALSE(VerifyGithubSignature(secret, body + " ", header)) << "another body";
  EXPECT_FALSE(VerifyGithubSignature(secret + "x", body, header)) << "another secret";
  EXPECT_FALSE(VerifyGithubSignature(secret, body, header.substr(7))) << "no sha256= prefix";
  EXPECT_FALSE(VerifyGithubSignature(secret, body, "sha1=" + header.substr(7)));
  EXPECT_FALSE(VerifyGithubSignature(secret, body, header.substr(0, header.size() - 1)));
  EXPECT_FALSE(VerifyGithubSignature("", body, "sha256=" + HmacSha256Hex("", body)))
      << "an empty secret never verifies";
  EXPECT_FALSE(VerifyGithubSignature(secret, body, ""));
}

TEST(ServerCrypto, TokensAreRandomAndStoredAsSha256) {
  std::string a = NewToken(), b = NewToken();
  EXPECT_EQ(a.size(), 44u);
  EXPECT_EQ(a.rfind("gnt_", 0), 0u);
  EXPECT_NE(a, b);
  // echo -n abc | sha256sum
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace gauntlet::server
