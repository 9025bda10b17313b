#include "store/state_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vcs/test_repo.h"

namespace gauntlet::store {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StateDirTest, CreatesTheDirectoryWithAGitignoreOfEverything) {
  vcs::TestRepo repo;
  const fs::path dir = fs::path(repo.dir()) / ".gauntlet";
  ASSERT_TRUE(EnsureStateDir(dir.string()).ok());
  EXPECT_EQ(Read(dir / ".gitignore"), kStateDirGitignore);
  // git itself (libgit2) now ignores what the engine writes there, the .gitignore too.
  std::ofstream(dir / "state.db") << "x";
  int ignored = 0;
  ASSERT_EQ(git_ignore_path_is_ignored(&ignored, repo.repo(), ".gauntlet/state.db"), 0);
  EXPECT_EQ(ignored, 1);
  ASSERT_EQ(git_ignore_path_is_ignored(&ignored, repo.repo(), ".gauntlet/.gitignore"), 0);
  EXPECT_EQ(ignored, 1);
  ASSERT_EQ(git_ignore_path_is_ignored(&ignored, repo.repo(), "src/state.db"), 0);
  EXPECT_EQ(ignored, 0) << "only the state directory";
}

TEST(StateDirTest, AnExistingGitignoreIsKeptAndAMissingOneIsAdded) {
  vcs::TestRepo repo;
  const fs::path dir = fs::path(repo.dir()) / "state";
  fs::create_directories(dir);
  ASSERT_TRUE(EnsureStateDir(dir.string()).ok()) << "an existing directory without one";
  EXPECT_EQ(Read(dir / ".gitignore"), kStateDirGitignore);
  std::ofstream(dir / ".gitignore", std::ios::trunc) << "logs/\n";
  ASSERT_TRUE(EnsureStateDir(dir.string()).ok());
  EXPECT_EQ(Read(dir / ".gitignore"), "logs/\n");
}

TEST(StateDirTest, AnUncreatableDirectoryIsAnError) {
  vcs::TestRepo repo;
  std::ofstream(fs::path(repo.dir()) / "file") << "x";
  Status s = EnsureStateDir(repo.dir() + "/file/.gauntlet");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("cannot create"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace gauntlet::store
