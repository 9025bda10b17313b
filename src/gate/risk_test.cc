#include "gate/risk.h"

#include <gtest/gtest.h>

namespace gauntlet::gate {
namespace {

RiskRules Rules(const spec::Gates& g = {}) {
  auto r = RiskRules::FromGates(g);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return *r;
}

TEST(RiskTest, DefaultClasses) {
  RiskRules rules = Rules();
  EXPECT_EQ(rules.Classify("README.md"), RiskClass::kLow);
  EXPECT_EQ(rules.Classify("docs/guide/intro.html"), RiskClass::kLow);
  EXPECT_EQ(rules.Classify("tests/test_greet.sh"), RiskClass::kLow);
  EXPECT_EQ(rules.Classify("src/greet_test.cc"), RiskClass::kLow);
  EXPECT_EQ(rules.Classify(".clang-format"), RiskClass::kLow);
  EXPECT_EQ(rules.Classify("src/greet.c"), RiskClass::kMedium);
  EXPECT_EQ(rules.Classify("src/auth/login.py"), RiskClass::kHigh);
  EXPECT_EQ(rules.Classify("app/payments/charge.go"), RiskClass::kHigh);
  EXPECT_EQ(rules.Classify("db/migrations/0003_users.sql"), RiskClass::kHigh);
  EXPECT_EQ(rules.Classify("infra/main.tf"), RiskClass::kHigh);
  EXPECT_EQ(rules.Classify("gauntlet.yml"), RiskClass::kHigh);
  EXPECT_EQ(rules.Classify(".github/workflows/ci.yml"), RiskClass::kHigh);
  // The highest class wins: a test of the auth code is high.
  EXPECT_EQ(rules.Classify("tests/auth/login_test.py"), RiskClass::kHigh);
}

TEST(RiskTest, UserListsReplaceDefaultsAndCriticalIsOnlyWhatIsListed) {
  spec::Gates g;
  g.risk_critical = {"src/crypto/**"};
  g.risk_low = {"**/*.md", "src/generated/**"};
  g.risk_medium = {"tests/**"};
  RiskRules rules = Rules(g);
  EXPECT_EQ(rules.Classify("src/crypto/aes.c"), RiskClass::kCritical);
  EXPECT_EQ(rules.Classify("src/generated/x.c"), RiskClass::kLow);
  EXPECT_EQ(rules.Classify("tests/a.sh"), RiskClass::kMedium);
  EXPECT_EQ(rules.Classify("docs/x.html"), RiskClass::kMedium);  // defaults replaced
  EXPECT_EQ(rules.Classify("src/auth/x.c"), RiskClass::kHigh);   // high kept its defaults
  EXPECT_EQ(Rules().Classify("src/crypto/aes.c"), RiskClass::kHigh);
}

TEST(RiskTest, BadGlobNamesTheClass) {
  spec::Gates g;
  g.risk_high = {"src/[oops"};
  auto r = RiskRules::FromGates(g);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("gates.risk.high"), std::string::npos);
}

TEST(RiskTest, ChangeTakesTheHighestClassAndSizeFromLines) {
  RiskRules rules = Rules();
  auto docs = AssessRisk(rules, {{"README.md", {}, 3, 1}, {"docs/a.md", {}, 2, 0}});
  EXPECT_EQ(docs.risk, RiskClass::kLow);
  EXPECT_EQ(docs.lines, 6);
  EXPECT_EQ(docs.size, SizeClass::kXS);
  auto mixed = AssessRisk(rules, {{"README.md", {}, 30, 0}, {"src/auth/token.c", {}, 5, 5}});
  EXPECT_EQ(mixed.risk, RiskClass::kHigh);
  EXPECT_EQ(mixed.files[1].risk, RiskClass::kHigh);
  EXPECT_EQ(mixed.lines, 40);
  EXPECT_EQ(mixed.size, SizeClass::kM);
  EXPECT_EQ(AssessRisk(rules, {}).risk, RiskClass::kLow);
}

TEST(RiskTest, SizeBoundaries) {
  EXPECT_EQ(SizeOf(0), SizeClass::kXS);
  EXPECT_EQ(SizeOf(9), SizeClass::kXS);
  EXPECT_EQ(SizeOf(10), SizeClass::kS);
  EXPECT_EQ(SizeOf(29), SizeClass::kS);
  EXPECT_EQ(SizeOf(30), SizeClass::kM);
  EXPECT_EQ(SizeOf(99), SizeClass::kM);
  EXPECT_EQ(SizeOf(100), SizeClass::kL);
  EXPECT_EQ(SizeOf(499), SizeClass::kL);
  EXPECT_EQ(SizeOf(500), SizeClass::kXL);
  EXPECT_EQ(SizeOf(999), SizeClass::kXL);
  EXPECT_EQ(SizeOf(1000), SizeClass::kXXL);
  EXPECT_EQ(ToString(SizeClass::kXXL), "XXL");
}

}  // namespace
}  // namespace gauntlet::gate
