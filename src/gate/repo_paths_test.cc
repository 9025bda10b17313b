#include "gate/repo_paths.h"

#include <gtest/gtest.h>

#include <algorithm>

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

// A repository of fixed files: existence and suffixes from the list.
class FixedFiles : public RepoFiles {
 public:
  explicit FixedFiles(std::vector<std::string> files) : files_(std::move(files)) {
    std::sort(files_.begin(), files_.end());
  }
  bool Exists(const std::string& rel) const override {
    return std::binary_search(files_.begin(), files_.end(), rel);
  }
  std::vector<std::string> WithSuffix(std::string_view suffix) const override {
    return PathsWithSuffix(files_, suffix);
  }

 private:
  std::vector<std::string> files_;
};

TEST(GateRepoPathsTest, APathIsPlacedWhereAFileIs) {
  const FixedFiles files({"src/bad.c", "src/util/io.c", "lib/io.c", "main.c", "web/api/io.c"});
  // `cd src && gcc -c bad.c` in a job at the root: not root/bad.c, but src/bad.c.
  RepoPaths root("/repo", "/repo", &files);
  EXPECT_EQ(root.Place("bad.c").path, "src/bad.c");
  EXPECT_TRUE(root.Place("bad.c").found);
  EXPECT_EQ(root.Place("main.c").path, "main.c") << "where the job ran wins";
  EXPECT_EQ(root.Place("./util/io.c").path, "src/util/io.c");
  EXPECT_EQ(root.Place("../src/bad.c").path, "src/bad.c");
  // Several files end in the name: none is chosen, the path is flagged.
  EXPECT_EQ(root.Place("io.c").path, "io.c");
  EXPECT_FALSE(root.Place("io.c").found);
  EXPECT_FALSE(root.Place("gone.c").found);
  // ... unless one of them is under the job's directory.
  RepoPaths web("/repo", "/repo/web", &files);
  EXPECT_EQ(web.Place("io.c").path, "web/api/io.c");
  // Absolute paths: under the root they must exist; outside they are not placed.
  EXPECT_TRUE(root.Place("/repo/src/bad.c").found);
  EXPECT_FALSE(root.Place("/repo/src/deleted.c").found);
  EXPECT_EQ(root.Place("/usr/include/stdio.h").path, "/usr/include/stdio.h");
  EXPECT_TRUE(root.Place("/usr/include/stdio.h").found);
  // Without RepoFiles nothing is checked (the pure mapping).
  RepoPaths pure("/repo", "/repo");
  EXPECT_EQ(pure.Place("bad.c").path, "bad.c");
  EXPECT_TRUE(pure.Place("bad.c").found);
}

TEST(GateRepoPathsTest, ApplyFlagsWhatItCannotPlaceAndKeepsSystemHeadersSecondary) {
  const FixedFiles files({"src/bad.c", "src/sort.cc"});
  RepoPaths paths("/repo", "/repo", &files);
  std::vector<Diagnostic> list(3);
  list[0].file = "bad.c";
  list[0].line = 8;
  list[1].file = "nowhere.c";
  list[2].file = "/usr/include/c++/12/bits/predefined_ops.h";
  list[2].line = 45;
  list[2].notes = {{"/usr/include/c++/12/bits/stl_algo.h", 1809, 14, "required from ‘...’"},
                   {"sort.cc", 9, 12, "required from here"},
                   {"sort.cc", 1, 0, "In file included from here"}};
  paths.Apply(list);
  EXPECT_EQ(FormatLocation(list[0]), "src/bad.c:8");
  EXPECT_FALSE(list[0].file_unresolved);
  EXPECT_EQ(FormatLocation(list[1]), "nowhere.c (file not found)");
  EXPECT_TRUE(list[1].file_unresolved);
  EXPECT_EQ(FormatLocation(list[2]), "src/sort.cc:9:12") << "g++'s 'required from here'";
  EXPECT_EQ(list[2].notes[1],
            (Note{"/usr/include/c++/12/bits/predefined_ops.h", 45, 0,
                  "reported here, outside the repository"}));
}

}  // namespace
}  // namespace gauntlet::gate
