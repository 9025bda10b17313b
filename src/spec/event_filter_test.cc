#include "spec/event_filter.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

bool Gh(std::vector<std::string> patterns, std::string_view value) {
  auto list = FilterList::Compile(patterns, PatternSyntax::kGithub);
  EXPECT_TRUE(list.ok()) << (list.ok() ? "" : list.error().message);
  return list.ok() && list->Matches(value);
}

// GitHub's "Patterns to match branches and tags" cheat sheet, each row with its matches
// and a near miss.
TEST(GithubFilterPattern, BranchAndTagCheatSheet) {
  EXPECT_TRUE(Gh({"feature/*"}, "feature/my-branch"));
  EXPECT_FALSE(Gh({"feature/*"}, "feature/beta-a/my-branch"));
  EXPECT_TRUE(Gh({"feature/**"}, "feature/beta-a/my-branch"));
  EXPECT_TRUE(Gh({"feature/**"}, "feature/mona/the/octocat"));
  EXPECT_FALSE(Gh({"feature/**"}, "features/x"));
  EXPECT_TRUE(Gh({"main", "releases/mona-the-octocat"}, "releases/mona-the-octocat"));
  EXPECT_FALSE(Gh({"main"}, "mainline"));
  EXPECT_TRUE(Gh({"*"}, "releases"));
  EXPECT_FALSE(Gh({"*"}, "releases/v1"));
  EXPECT_TRUE(Gh({"**"}, "releases/v1"));
  EXPECT_TRUE(Gh({"*feature"}, "ver-10-feature"));
  EXPECT_TRUE(Gh({"*feature"}, "feature"));
  EXPECT_FALSE(Gh({"*feature"}, "feature-x"));
  EXPECT_TRUE(Gh({"v2*"}, "v2"));
  EXPECT_TRUE(Gh({"v2*"}, "v2.9"));
  EXPECT_FALSE(Gh({"v2*"}, "v3"));
  // `+` repeats the class before it; `.` is a dot.
  EXPECT_TRUE(Gh({"v[12].[0-9]+.[0-9]+"}, "v1.10.1"));
  EXPECT_TRUE(Gh({"v[12].[0-9]+.[0-9]+"}, "v2.0.0"));
  EXPECT_FALSE(Gh({"v[12].[0-9]+.[0-9]+"}, "v3.0.0"));
  EXPECT_FALSE(Gh({"v[12].[0-9]+.[0-9]+"}, "v1.x.0"));
  EXPECT_FALSE(Gh({"v[12].[0-9]+.[0-9]+"}, "v1a0.0"));
}

TEST(GithubFilterPattern, PathCheatSheet) {
  EXPECT_TRUE(Gh({"*"}, "README.md"));
  EXPECT_FALSE(Gh({"*"}, "docs/README.md"));
  // `?`: zero or one of the character before.
  EXPECT_TRUE(Gh({"*.jsx?"}, "page.js"));
  EXPECT_TRUE(Gh({"*.jsx?"}, "page.jsx"));
  EXPECT_FALSE(Gh({"*.jsx?"}, "page.jsxx"));
  EXPECT_TRUE(Gh({"**.js"}, "src/js/app.js"));
  EXPECT_TRUE(Gh({"**.js"}, "index.js"));
  EXPECT_FALSE(Gh({"*.js"}, "js/index.js"));
  EXPECT_TRUE(Gh({"docs/*"}, "docs/file.txt"));
  EXPECT_FALSE(Gh({"docs/*"}, "docs/mona/octocat.txt"));
  EXPECT_TRUE(Gh({"docs/**"}, "docs/mona/octocat.txt"));
  EXPECT_TRUE(Gh({"docs/**/*.md"}, "docs/README.md"));
  EXPECT_TRUE(Gh({"docs/**/*.md"}, "docs/a/markdown/file.md"));
  EXPECT_FALSE(Gh({"docs/**/*.md"}, "docs/a/file.txt"));
  EXPECT_TRUE(Gh({"**/docs/**"}, "docs/hello.md"));
  EXPECT_TRUE(Gh({"**/docs/**"}, "space/docs/plan/space.doc"));
  EXPECT_TRUE(Gh({"**/README.md"}, "README.md"));
  EXPECT_TRUE(Gh({"**/README.md"}, "js/README.md"));
  EXPECT_FALSE(Gh({"**/README.md"}, "js/NOT-README.md"));
  EXPECT_TRUE(Gh({"**/*src/**"}, "a/src/app.js"));
  EXPECT_TRUE(Gh({"**/*src/**"}, "my-src/code/js/app.js"));
  EXPECT_TRUE(Gh({"**/*-post.md"}, "path/their-post.md"));
  EXPECT_TRUE(Gh({"**/migrate-*.sql"}, "db/sept/migrate-v1.sql"));
  EXPECT_TRUE(Gh({"**/migrate-*.sql"}, "migrate-10909.sql"));
}

// `!` excludes what matched before it; a later pattern takes it back (last match decides).
TEST(GithubFilterPattern, NegationsApplyInOrder) {
  const std::vector<std::string> md = {"*.md", "!README.md"};
  EXPECT_TRUE(Gh(md, "hello.md"));
  EXPECT_FALSE(Gh(md, "README.md"));
  EXPECT_FALSE(Gh(md, "docs/hello.md"));
  const std::vector<std::string> back = {"*.md", "!README.md", "README*"};
  EXPECT_TRUE(Gh(back, "README.md"));
  EXPECT_TRUE(Gh(back, "README.doc"));
  const std::vector<std::string> alpha = {"releases/**", "!releases/**-alpha"};
  EXPECT_TRUE(Gh(alpha, "releases/10"));
  EXPECT_FALSE(Gh(alpha, "releases/10-alpha"));
  EXPECT_FALSE(Gh(alpha, "main"));
  auto only = FilterList::Compile({"!main"}, PatternSyntax::kGithub);
  ASSERT_TRUE(only.ok());
  EXPECT_TRUE(only->OnlyNegations());
  EXPECT_FALSE(FilterList::Compile(alpha, PatternSyntax::kGithub)->OnlyNegations());
}

// Regex characters are literal; a `?`/`+` with nothing to repeat is literal; `\` escapes.
TEST(GithubFilterPattern, OtherCharactersAreLiteral) {
  EXPECT_TRUE(Gh({"a(b)|c$"}, "a(b)|c$"));
  EXPECT_FALSE(Gh({"a.c"}, "abc"));
  EXPECT_TRUE(Gh({"+x"}, "+x"));
  EXPECT_TRUE(Gh({"v\\*"}, "v*"));
  EXPECT_FALSE(Gh({"v\\*"}, "v1"));
  EXPECT_TRUE(Gh({"[a.]b"}, ".b"));
  for (const char* bad : {"", "v[", "v[]", "x\\"})
    EXPECT_FALSE(GithubPatternRegex(bad).ok()) << bad;
}

// gauntlet.yml keeps core/glob.h's globs, with the same ordered negation.
TEST(GithubFilterPattern, GauntletGlobsKeepTheirSyntax) {
  EXPECT_TRUE(FilterMatches({"release/{a,b}"}, PatternSyntax::kGlob, "release/b"));
  EXPECT_FALSE(FilterMatches({"release/{a,b}"}, PatternSyntax::kGithub, "release/b"));
  EXPECT_FALSE(FilterMatches({"**", "!wip/*"}, PatternSyntax::kGlob, "wip/x"));
  EXPECT_TRUE(FilterMatches({"**", "!wip/*"}, PatternSyntax::kGlob, "main"));
  EXPECT_FALSE(FilterMatches({"v["}, PatternSyntax::kGlob, "v["));
}

}  // namespace
}  // namespace gauntlet::spec
