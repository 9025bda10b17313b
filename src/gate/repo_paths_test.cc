#include "gate/repo_paths.h"

#include <gtest/gtest.h>

namespace gauntlet::gate {
namespace {

TEST(GateRepoPathsTest, RelativePathsAreJoinedToTheJobDirectory) {
  RepoPaths p("/repo", "/repo/services/api");
  EXPECT_EQ(p.job_prefix(), "services/api");
  EXPECT_EQ(p.Map("main.c"), "services/api/main.c");
  EXPECT_EQ(p.Map("./src/a.c"), "services/api/src/a.c");
  EXPECT_EQ(p.Map("../lib/b.c"), "services/lib/b.c");
  EXPECT_EQ(p.Map(""), "");
}

TEST(GateRepoPathsTest, AbsolutePathsUnderTheRootBecomeRelative) {
  RepoPaths p("/repo/", "/repo/services/api");
  EXPECT_EQ(p.Map("/repo/services/api/main.c"), "services/api/main.c");
  EXPECT_EQ(p.Map("file:///repo/x.py"), "x.py");
  EXPECT_EQ(p.Map("/usr/include/stdio.h"), "/usr/include/stdio.h");
}

TEST(GateRepoPathsTest, PathsLeavingTheRepositoryAreKept) {
  RepoPaths p("/repo", "/repo/a");
  EXPECT_EQ(p.Map("../../etc/passwd"), "../../etc/passwd");
  RepoPaths outside("/repo", "/elsewhere");
  EXPECT_EQ(outside.Map("main.c"), "main.c");
  RepoPaths root("/repo", "/repo");
  EXPECT_EQ(root.job_prefix(), "");
  EXPECT_EQ(root.Map("./main.c"), "main.c");
}

TEST(GateRepoPathsTest, AppliesToDiagnosticsNotesAndCoverage) {
  RepoPaths p("/repo", "/repo/web");
  std::vector<Diagnostic> list(1);
  list[0].file = "src/a.ts";
  list[0].notes.push_back({"src/b.ts", 1, 2, "here"});
  list[0].notes.push_back({"", 0, 0, "context"});
  p.Apply(list);
  EXPECT_EQ(list[0].file, "web/src/a.ts");
  EXPECT_EQ(list[0].notes[0].file, "web/src/b.ts");
  EXPECT_EQ(list[0].notes[1].file, "");
  Coverage c;
  c.files.push_back({});
  c.files[0].file = "/repo/web/src/a.ts";
  c.files.push_back({});
  c.files[1].file = "src/c.ts";
  p.Apply(c);
  EXPECT_EQ(c.files[0].file, "web/src/a.ts");
  EXPECT_EQ(c.files[1].file, "web/src/c.ts");
}

}  // namespace
}  // namespace gauntlet::gate
