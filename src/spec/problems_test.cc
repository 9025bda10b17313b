#include "spec/problems.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gauntlet::spec {
namespace {

TEST(ProblemsTest, FormatsSortedWithSourceLineCaretAndHint) {
  Problems p;
  p.Error({"g.yml", 3, 5}, "unknown key 'need' in job 'unit'", "did you mean 'needs'?");
  p.Warning({"g.yml", 1, 1}, "first");
  EXPECT_TRUE(p.has_errors());
  std::string source = "jobs:\n  unit:\n    need: [build]\n";
  EXPECT_EQ(p.Format(source),
            "g.yml:1:1: warning: first\n"
            "jobs:\n"
            "^\n"
            "g.yml:3:5: error: unknown key 'need' in job 'unit'\n"
            "    need: [build]\n"
            "    ^\n"
            "  hint: did you mean 'needs'?\n");
}

TEST(ProblemsTest, UnknownLineAndTabsAndColor) {
  Problems p;
  p.Error({"g.yml", 0, 0}, "cannot read");
  p.Error({"g.yml", 1, 3}, "tab");
  std::string out = p.Format("\tab\n");
  EXPECT_EQ(out, "g.yml: error: cannot read\ng.yml:1:3: error: tab\n\tab\n\t ^\n");
  EXPECT_NE(p.Format("\tab\n", true).find("\033["), std::string::npos);
}

TEST(ProblemsTest, WarningsAloneAreNotErrors) {
  Problems p;
  p.Warning({"g.yml", 1, 1}, "w");
  EXPECT_FALSE(p.has_errors());
  Problems q;
  q.Error({"g.yml", 2, 1}, "e", "h");
  p.Append(q);
  EXPECT_TRUE(p.has_errors());
  nlohmann::json j = p.ToJson();
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["severity"], "warning");
  EXPECT_EQ(j[1], (nlohmann::json{{"file", "g.yml"},
                                  {"line", 2},
                                  {"col", 1},
                                  {"severity", "error"},
                                  {"message", "e"},
                                  {"hint", "h"}}));
}

}  // namespace
}  // namespace gauntlet::spec
