#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using testing::ReadCorpus;
using testing::Summaries;

const std::vector<std::string> kTscExpected = {
    "app.ts:6:32 error type TS2322: Type 'string' is not assignable to type 'number'.",
    "app.ts:7:5 error type TS2322: Type 'string' is not assignable to type 'number'.",
    "app.ts:8:15 error type TS2339: Property 'nmae' does not exist on type 'User'.",
};

TEST(GateTscTest, PlainForm) {
  auto r = ParseDiagnostics("tsc", ReadCorpus("tsc/tsc.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Summaries(*r), kTscExpected);
  EXPECT_EQ((*r)[0].tool, "tsc");
  EXPECT_EQ((*r)[0].excerpt,
            "app.ts(6,32): error TS2322: Type 'string' is not assignable to type 'number'.");
}

TEST(GateTscTest, PrettyFormWithColoursAndRelatedLocation) {
  auto r = ParseDiagnostics("tsc", ReadCorpus("tsc/tsc-pretty.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Summaries(*r), kTscExpected);
  EXPECT_EQ((*r)[0].notes,
            (std::vector<Note>{{"app.ts", 3, 3,
                                "The expected type comes from property 'age' which is declared "
                                "here on type 'User'"}}));
  EXPECT_NE((*r)[0].excerpt.find("const u: User"), std::string::npos);
  EXPECT_EQ((*r)[0].excerpt.find('\x1b'), std::string::npos);
}

TEST(GateTscTest, MessageContinuedOnIndentedLines) {
  // tsc's elaboration chains (unit input: the captured corpus has none).
  auto r = ParseDiagnostics("tsc",
                            "a.ts(3,7): error TS2322: Type '{ x: string; }' is not assignable to "
                            "type 'P'.\n"
                            "  Types of property 'x' are incompatible.\n"
                            "    Type 'string' is not assignable to type 'number'.\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].message,
            "Type '{ x: string; }' is not assignable to type 'P'.\n"
            "Types of property 'x' are incompatible.\n"
            "Type 'string' is not assignable to type 'number'.");
}

}  // namespace
}  // namespace gauntlet::gate
