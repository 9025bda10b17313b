#include "gate/identity.h"

#include <gtest/gtest.h>

#include "vcs/test_repo.h"

namespace gauntlet::gate {
namespace {

TEST(IdentityTest, AuthorsAndAgentTrailersFromARealRepository) {
  vcs::TestRepo repo;
  repo.Write("src/a.c", "a\n");
  repo.Commit("initial");
  repo.Branch("feature");
  repo.Write("src/a.c", "a\nb\n");
  repo.Commit("human part", "Grace", "Grace@Example.com");
  repo.Write("src/b.c", "x\ny\n");
  std::string agent = repo.Commit(
      "agent part\n\nDone with care.\n\nAgent-By: claude-code\nTask-ID: GA-12\nModel: opus\n",
      "CI Bot", "bot@example.com");
  repo.Write("src/a.c", "a\nb\nc\n");
  repo.Commit("more from Grace", "Grace Hopper", "grace@example.com");

  auto range = vcs::ReadRange(repo.dir());
  ASSERT_TRUE(range.ok()) << range.error().message;
  Identity id = IdentityOf(*range);
  EXPECT_EQ(id.author.name, "Grace Hopper");
  ASSERT_EQ(id.authors.size(), 2u);  // Grace's two spellings are one author
  EXPECT_EQ(AuthorKey(id.authors[0]), "grace@example.com");
  EXPECT_EQ(id.authors[1].email, "bot@example.com");
  EXPECT_TRUE(id.by_agent());
  EXPECT_EQ(id.agent_by, "claude-code");
  EXPECT_EQ(id.task_id, "GA-12");
  EXPECT_EQ(id.model, "opus");
  ASSERT_EQ(id.commits.size(), 3u);
  EXPECT_EQ(id.commits[1].commit, agent);
  EXPECT_TRUE(id.commits[0].agent_by.empty());

  auto lines = ChangedLines(*range);
  EXPECT_EQ(lines["src/a.c"], (std::set<int>{2, 3}));
  EXPECT_EQ(lines["src/b.c"], (std::set<int>{1, 2}));
}

TEST(IdentityTest, HumanCommitHasNoAgent) {
  vcs::TestRepo repo;
  repo.Write("a.txt", "a\n");
  repo.Commit("initial");
  repo.Write("a.txt", "b\n");
  repo.Commit("plain change\n\nSigned-off-by: Ada <ada@example.com>\n");
  auto range = vcs::ReadRange(repo.dir());
  ASSERT_TRUE(range.ok());
  Identity id = IdentityOf(*range);
  EXPECT_FALSE(id.by_agent());
  EXPECT_TRUE(id.task_id.empty());
  EXPECT_EQ(id.author.email, "ada@example.com");
}

TEST(IdentityTest, RevertMessages) {
  EXPECT_EQ(RevertedCommit("Revert \"add auth\"\n\nThis reverts commit "
                           "0123456789ABCDEF0123456789abcdef01234567.\n"),
            "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(RevertedCommit("This reverts commit abc1234, it broke login"), "abc1234");
  EXPECT_FALSE(RevertedCommit("This reverts commit xyz").has_value());
  EXPECT_FALSE(RevertedCommit("fix the revert button").has_value());
}

}  // namespace
}  // namespace gauntlet::gate
