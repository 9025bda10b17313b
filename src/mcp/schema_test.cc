#include "mcp/schema.h"

#include <gtest/gtest.h>

namespace gauntlet::mcp {
namespace {

using nlohmann::json;

const json kSchema = {
    {"type", "object"},
    {"properties",
     {{"run_id", {{"type", "integer"}, {"minimum", 1}}},
      {"job", {{"type", "string"}}},
      {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}}}},
    {"required", {"run_id"}},
    {"additionalProperties", false}};

TEST(ArgumentSchema, AcceptsValidArguments) {
  ArgumentSchema s(kSchema);
  EXPECT_EQ(s.Check({{"run_id", 3}}), "");
  EXPECT_EQ(s.Check({{"run_id", 3}, {"job", "build"}, {"limit", 1000}}), "");
  EXPECT_EQ(s.Check({{"run_id", 1}, {"limit", 1}}), "");  // both bounds are inclusive
}

TEST(ArgumentSchema, NamesWhatIsWrong) {
  ArgumentSchema s(kSchema);
  EXPECT_NE(s.Check(json::object()).find("run_id"), std::string::npos);  // missing
  std::string wrong_type = s.Check({{"run_id", "3"}});                   // strong types
  EXPECT_NE(wrong_type, "");
  EXPECT_NE(wrong_type.find("run_id"), std::string::npos) << wrong_type;
  std::string below = s.Check({{"run_id", 0}});
  EXPECT_NE(below.find("run_id"), std::string::npos) << below;  // below minimum
  std::string above = s.Check({{"run_id", 1}, {"limit", 1001}});
  EXPECT_NE(above.find("limit"), std::string::npos) << above;  // above maximum
  std::string extra = s.Check({{"run_id", 1}, {"jbo", "x"}});  // a typo is not ignored
  EXPECT_NE(extra.find("jbo"), std::string::npos) << extra;
  EXPECT_NE(s.Check(json::array()), "");
}

}  // namespace
}  // namespace gauntlet::mcp
