#include "release/analyse.h"

#include <gtest/gtest.h>

#include "vcs/publish.h"
#include "vcs/test_repo.h"

namespace gauntlet::release {
namespace {

class AnalyseTest : public ::testing::Test {
 protected:
  std::string Commit(const std::string& file, const std::string& message) {
    repo_.Write(file, message + std::to_string(++n_));
    return repo_.Commit(message);
  }
  void Tag(const std::string& name, const std::string& commit) {
    ASSERT_TRUE(vcs::CreateTag(repo_.dir(), name, commit, name).ok());
  }
  Analysis Run(const std::string& format = "v{version}", const std::string& path = "") {
    auto a = Analyse({repo_.dir(), format, path});
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
    return a.ok() ? *a : Analysis{};
  }
  vcs::TestRepo repo_;
  int n_ = 0;
};

TEST_F(AnalyseTest, LastTagInSemverOrderAndCommitsSince) {
  Tag("v1.10.0", Commit("a", "feat: one"));
  // v1.9.0 is newer in time but lower in semver: v1.10.0 stays the last release.
  Tag("v1.9.0", Commit("a", "fix: two"));
  Tag("not-a-release", Commit("a", "fix: three"));
  Commit("a", "feat: four");
  Analysis a = Run();
  ASSERT_TRUE(a.last.has_value());
  EXPECT_EQ(a.last->tag, "v1.10.0");
  ASSERT_EQ(a.commits.size(), 3u);  // oldest first
  EXPECT_EQ(a.commits[0].subject, "two");
  EXPECT_EQ(a.commits[2].subject, "four");
  EXPECT_EQ(a.tagged.size(), 2u);
}

TEST_F(AnalyseTest, TagsOutsideHeadsHistoryAreNotTheLastRelease) {
  const std::string base = Commit("a", "feat: base");
  Tag("v1.0.0", base);
  repo_.Branch("side");
  Tag("v2.0.0", Commit("a", "feat!: only on side"));
  // Back to main at base: v2.0.0 is tagged but not in HEAD's history.
  ASSERT_EQ(git_repository_set_head(repo_.repo(), "refs/heads/main"), 0);
  Analysis a = Run();
  EXPECT_EQ(a.last->tag, "v1.0.0");
  EXPECT_EQ(a.commits_since_last, 0);
  EXPECT_EQ(a.tagged.size(), 2u);
}

TEST_F(AnalyseTest, PackagesCountOnlyTheirOwnCommits) {
  Tag("api@v0.1.0", Commit("api/x", "feat: api"));
  Commit("web/y", "feat: web only");
  Commit("api/z", "fix: api fix");
  Commit("README", "docs: top");
  Analysis api = Run("api@v{version}", "api");
  ASSERT_EQ(api.commits.size(), 1u);
  EXPECT_EQ(api.commits[0].subject, "api fix");
  Analysis web = Run("web@v{version}", "web");
  EXPECT_FALSE(web.last.has_value());  // the api tag is not web's
  ASSERT_EQ(web.commits.size(), 1u);
  EXPECT_EQ(web.commits[0].subject, "web only");
}

TEST_F(AnalyseTest, PrereleasesCountFromTheLastStable) {
  Tag("v1.0.0", Commit("a", "fix: stable"));
  Tag("v1.1.0-rc.1", Commit("a", "feat: new"));
  Commit("a", "fix: after rc1");
  Analysis a = Run();
  EXPECT_EQ(a.last->tag, "v1.1.0-rc.1");
  EXPECT_EQ(a.last_stable->tag, "v1.0.0");
  EXPECT_EQ(a.commits_since_last, 1);
  EXPECT_EQ(a.commits.size(), 2u);  // the feat of rc.1 still counts toward 1.1.0
}

}  // namespace
}  // namespace gauntlet::release
