#include "mcp/audit.h"

#include <gtest/gtest.h>

namespace gauntlet::mcp {
namespace {

using nlohmann::json;

TEST(MaskArguments, KeysThatNameSecretsAndKnownValues) {
  json in = {{"environment", "production"},
             {"GITHUB_TOKEN", "ghp_abc"},
             {"nested", {{"db_password", "pw"}, {"note", "uses hunter2 twice: hunter2"}}},
             {"list", {"hunter2", 3}}};
  json out = MaskArguments(in, {"hunter2"});
  EXPECT_EQ(out["environment"], "production");
  EXPECT_EQ(out["GITHUB_TOKEN"], "***");
  EXPECT_EQ(out["nested"]["db_password"], "***");
  EXPECT_EQ(out["nested"]["note"], "uses *** twice: ***");
  EXPECT_EQ(out["list"][0], "***");
  EXPECT_EQ(out["list"][1], 3);
  EXPECT_EQ(out.dump().find("hunter2"), std::string::npos);
}

TEST(MaskArguments, LongStringsAreCutAtOneKiB) {
  json out = MaskArguments({{"file", std::string(1024, 'a')}, {"big", std::string(1025, 'b')}}, {});
  EXPECT_EQ(out["file"].get<std::string>().size(), 1024u);  // at the limit: kept whole
  std::string big = out["big"];
  EXPECT_EQ(big.substr(0, 1024), std::string(1024, 'b'));
  EXPECT_NE(big.find("1025 bytes in all"), std::string::npos) << big;
}

TEST(MaskArguments, ACutThroughACharacterStillDumps) {
  // 1023 bytes then a two-byte character: the cut at 1 KiB splits it.
  json out = MaskArguments({{"note", std::string(1023, 'a') + "\xc3\xa9"}}, {});
  EXPECT_NO_THROW((void)out.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace
}  // namespace gauntlet::mcp
