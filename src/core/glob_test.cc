#include "core/glob.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gauntlet {
namespace {

struct Case {
  const char* pattern;
  const char* path;
  bool match;
};

// How a case is named in test listings (and so in ctest): the pattern and the path.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.pattern << " ~ " << c.path << (c.match ? " matches" : " does not match");
}

class GlobTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(GlobTableTest, Matches) {
  const Case& c = GetParam();
  auto glob = Glob::Compile(c.pattern);
  ASSERT_TRUE(glob.ok()) << glob.error().message;
  EXPECT_EQ(glob->Matches(c.path), c.match) << c.pattern << " vs " << c.path;
}

INSTANTIATE_TEST_SUITE_P(
    Glob, GlobTableTest,
    ::testing::Values(
        // literals
        Case{"README.md", "README.md", true}, Case{"README.md", "README.mdx", false},
        Case{"README.md", "docs/README.md", false},
        // * does not cross '/', matches dotfiles and the empty string
        Case{"*.md", "README.md", true}, Case{"*.md", "docs/a.md", false},
        Case{"*.md", ".hidden.md", true}, Case{"src/*", "src/a.cc", true},
        Case{"src/*", "src/a/b.cc", false}, Case{"a*b", "ab", true}, Case{"a*b", "a/b", false},
        // ?
        Case{"?.cc", "a.cc", true}, Case{"?.cc", "ab.cc", false}, Case{"a?b", "a/b", false},
        // ** as a whole segment
        Case{"**/*.md", "README.md", true}, Case{"**/*.md", "docs/a/b.md", true},
        Case{"**/*.md", "docs/a/b.mdx", false}, Case{"a/**/b", "a/b", true},
        Case{"a/**/b", "a/x/y/b", true}, Case{"a/**/b", "a/xb", false}, Case{"a/**/b", "ab", false},
        Case{"docs/**", "docs/x", true}, Case{"docs/**", "docs/x/y/z.txt", true},
        Case{"docs/**", "docs", false}, Case{"docs/**", "docsx/y", false},
        Case{"**", "anything/at/all", true}, Case{"**", "x", true},
        Case{"src/**/test_*.py", "src/test_a.py", true},
        Case{"src/**/test_*.py", "src/a/b/test_a.py", true},
        // ** not as a whole segment is a *
        Case{"a**b", "axxb", true}, Case{"a**b", "ax/xb", false},
        // trailing '/' means dir/**
        Case{"docs/", "docs/a/b.md", true}, Case{"docs/", "docs", false},
        // leading ./ is dropped
        Case{"./src/*.cc", "src/a.cc", true},
        // classes
        Case{"[abc].txt", "b.txt", true}, Case{"[abc].txt", "d.txt", false},
        Case{"[a-c]x", "bx", true}, Case{"[!a-c]x", "bx", false}, Case{"[!a-c]x", "dx", true},
        Case{"[^a-c]x", "dx", true}, Case{"a[!x]b", "a/b", false}, Case{"[]]", "]", true},
        Case{"[a-]", "-", true}, Case{"[\\]]", "]", true},
        // alternatives, nested, with ** inside
        Case{"*.{cc,h}", "a.cc", true}, Case{"*.{cc,h}", "a.h", true},
        Case{"*.{cc,h}", "a.hh", false}, Case{"src/{lib,bin}/**", "src/bin/x/y", true},
        Case{"src/{lib,bin}/**", "src/doc/x", false}, Case{"{a,b{c,d}}.txt", "bd.txt", true},
        Case{"{a,b{c,d}}.txt", "b.txt", false}, Case{"x{,.bak}", "x", true},
        Case{"x{,.bak}", "x.bak", true}, Case{"{**/,}*.md", "a/b/c.md", true},
        // escapes
        Case{"a\\*b", "a*b", true}, Case{"a\\*b", "axb", false}));

TEST(GlobTest, RejectsInvalidPatternsWithTheReason) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"/etc/passwd", "absolute"},
      {"../x", "outside the workspace"},
      {"a/../../x", "outside the workspace"},
      {"src/..", "outside the workspace"},
      {"[abc", "not closed"},
      {"{a,b", "not closed"},
      {"a}", "'}'"},
      {"a\\", "trailing"},
      {"[z-a]", "empty range"},
  };
  for (const auto& [pattern, why] : bad) {
    auto g = Glob::Compile(pattern);
    ASSERT_FALSE(g.ok()) << pattern;
    EXPECT_NE(g.error().message.find(why), std::string::npos)
        << pattern << ": " << g.error().message;
  }
  EXPECT_FALSE(Glob::Compile(std::string(Glob::kMaxPatternLength + 1, 'a')).ok());
  // ".." inside a name is an ordinary name.
  EXPECT_TRUE(Glob::Compile("a..b/c").ok());
}

// A backtracking matcher takes exponential time here (each * can stop at any
// of the 'a's); the NFA visits at most pattern-size states per character, so
// this finishes in microseconds. If it regressed the test would not finish.
TEST(GlobTest, PathologicalPatternIsLinear) {
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "*a";
  pattern += "*b";
  auto glob = Glob::Compile(pattern);
  ASSERT_TRUE(glob.ok());
  const std::string path(20000, 'a');
  EXPECT_FALSE(glob->Matches(path));
  EXPECT_TRUE(glob->Matches(path + "b"));

  std::string deep;
  for (int i = 0; i < 30; ++i) deep += "**/a/";
  deep += "b";
  auto g2 = Glob::Compile(deep);
  ASSERT_TRUE(g2.ok());
  std::string p2;
  for (int i = 0; i < 3000; ++i) p2 += "a/";
  EXPECT_FALSE(g2->Matches(p2 + "c"));
  EXPECT_TRUE(g2->Matches(p2 + "b"));
}

TEST(GlobTest, CouldMatchUnderPrunesDirectories) {
  auto g = Glob::Compile("src/**/*.cc");
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->CouldMatchUnder(""));
  EXPECT_TRUE(g->CouldMatchUnder("src"));
  EXPECT_TRUE(g->CouldMatchUnder("src/a/b"));
  EXPECT_FALSE(g->CouldMatchUnder("docs"));
  EXPECT_FALSE(g->CouldMatchUnder("srcx"));
  auto md = Glob::Compile("*.md");
  ASSERT_TRUE(md.ok());
  EXPECT_FALSE(md->CouldMatchUnder("docs"));
  auto any = Glob::Compile("**/*.md");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->CouldMatchUnder("docs/deep"));
}

TEST(GlobSetTest, NegationLastMatchWins) {
  const std::vector<std::string> patterns = {"docs/**", "!docs/api/**", "docs/api/keep.md"};
  auto m = [&](const char* path) {
    auto r = MatchAny(patterns, path);
    EXPECT_TRUE(r.ok());
    return r.ok() && *r;
  };
  EXPECT_TRUE(m("docs/guide.md"));
  EXPECT_FALSE(m("docs/api/ref.md"));
  EXPECT_TRUE(m("docs/api/keep.md"));
  EXPECT_FALSE(m("src/main.cc"));

  auto set = GlobSet::Compile({"!**/*.md"});
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(set->Matches("README.md"));
  EXPECT_FALSE(set->Matches("a.cc"));  // only negations: nothing selected

  auto bad = MatchAny({"ok/*", "[bad"}, "ok/x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("[bad"), std::string::npos);
}

TEST(GlobSetTest, CouldMatchUnderUsesPositivePatterns) {
  auto set = GlobSet::Compile({"src/**", "!src/gen/**"});
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->CouldMatchUnder("src"));
  EXPECT_FALSE(set->CouldMatchUnder("docs"));
}

TEST(GlobSetTest, RootsAreTheLiteralLeadingDirectories) {
  auto roots = [](std::vector<std::string> patterns) {
    auto set = GlobSet::Compile(patterns);
    EXPECT_TRUE(set.ok());
    return set.ok() ? set->Roots() : std::vector<std::string>{"error"};
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(roots({"in/**"}), V{"in"});
  EXPECT_EQ(roots({"in/"}), V{"in"});
  EXPECT_EQ(roots({"./src/lib/**/*.c", "src-x/*.h"}), (V{"src-x", "src/lib"}));
  EXPECT_EQ(roots({"src/lib/**", "src/**", "src/a.c"}), V{"src"}) << "nested roots fold";
  EXPECT_EQ(roots({"src/**", "!src/gen/**"}), V{"src"}) << "negations add nothing";
  EXPECT_EQ(roots({"src/{a,b}/**"}), V{"src"});
  EXPECT_EQ(roots({"src/**", "**/*.md"}), V{""}) << "a leading wildcard: the root";
  EXPECT_EQ(roots({"Makefile"}), V{""});
  EXPECT_EQ(roots({"a\\*b/c"}), V{""}) << "an escape is not taken literally here";
}

TEST(GlobTest, CleanRelativePaths) {
  EXPECT_TRUE(IsCleanRelativePath("a/b.txt"));
  EXPECT_TRUE(IsCleanRelativePath("a..b"));
  EXPECT_FALSE(IsCleanRelativePath(""));
  EXPECT_FALSE(IsCleanRelativePath("/etc/passwd"));
  EXPECT_FALSE(IsCleanRelativePath("../x"));
  EXPECT_FALSE(IsCleanRelativePath("a/../../x"));
  EXPECT_FALSE(IsCleanRelativePath("a//b"));
  EXPECT_FALSE(IsCleanRelativePath("./a"));
  EXPECT_FALSE(IsCleanRelativePath("a/"));
  EXPECT_FALSE(IsCleanRelativePath(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace gauntlet
