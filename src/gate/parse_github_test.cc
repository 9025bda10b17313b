#include <gtest/gtest.h>

#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

TEST(ParseGithubTest, NothingIsACommandBetweenStopCommandsAndItsToken) {
  auto r = ParseDiagnostics("github",
                            "::stop-commands::t0k\n"
                            "::error file=a.py,line=1::printed, not a diagnostic\n"
                            "::t0k::\r\n"
                            "::error file=b.py,line=2::a diagnostic again\n",
                            {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].file, "b.py");
}

TEST(ParseGithubTest, WorkflowCommandsWithLocationsAndEscapes) {
  auto r = ParseDiagnostics("github",
                            "building\n"
                            "::error file=src/app.py,line=3,col=5,endLine=4,endColumn=9,"
                            "title=E1%3A bad%2C really::first%0Asecond 100%25\n"
                            "  ::warning file=a.js,line=7::careful\n"
                            "::notice::just so you know\n"
                            "::group::not a diagnostic\n"
                            "+ echo '::error::from set -x, not a command'\n",
                            {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  const Diagnostic& e = (*r)[0];
  EXPECT_EQ(e.severity, Severity::kError);
  EXPECT_EQ(e.file, "src/app.py");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.col, 5);
  EXPECT_EQ(e.end_line, 4);
  EXPECT_EQ(e.end_col, 9);
  EXPECT_EQ(e.rule, "E1: bad, really");
  EXPECT_EQ(e.message, "first\nsecond 100%");
  EXPECT_EQ(e.tool, "github");
  EXPECT_EQ((*r)[1].severity, Severity::kWarning);
  EXPECT_EQ((*r)[1].file, "a.js");
  EXPECT_EQ((*r)[1].line, 7);
  EXPECT_EQ((*r)[2].severity, Severity::kNote);
  EXPECT_EQ((*r)[2].file, "");
  EXPECT_EQ((*r)[2].message, "just so you know");
}

}  // namespace
}  // namespace gauntlet::gate
