// Pipeline files written to hurt the loader: alias bombs, bytes that are not text.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "spec/load.h"
#include "spec/yaml_tree.h"

namespace gauntlet::spec {
namespace {

// "Billion laughs": each level is a list of ten aliases of the one before.
std::string AliasBomb(int levels, int fanout) {
  std::string text = "a0: &a0 [\"laugh\"]\n";
  for (int i = 1; i <= levels; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < fanout; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  return text;
}

TEST(LoadHostileTest, AliasExpansionIsBoundedInNodes) {
  // 10^7 nodes from a few hundred bytes.
  LoadResult r = LoadString(AliasBomb(7, 10) + "jobs: {a: {run: x}}\n", "bomb.yml");
  ASSERT_TRUE(r.problems.has_errors());
  const Problem& p = r.problems.all().front();
  EXPECT_NE(p.message.find("expands to more than 1000000 nodes"), std::string::npos) << p.message;
  EXPECT_NE(p.message.find("alias '*a"), std::string::npos) << p.message;
  // At the alias that crossed the bound: line 7 (a6), not 1:1.
  // Line 7 is `a6: &a6 [*a5, *a5, ...]`, its aliases at columns 10, 15, 20, 25, ...; each
  // *a5 is 211,111 nodes, and lines 1-6 already made ~234,000: the 4th crosses 1,000,000.
  EXPECT_EQ(p.loc.line, 7);
  EXPECT_EQ(p.loc.col, 25);
}

TEST(LoadHostileTest, AliasExpansionIsBoundedInBytes) {
  // Few nodes, each alias copying 1 MiB of text: the env aliases of the report.
  std::string text = "x: &big \"" + std::string(1 << 20, 'x') +
                     "\"\njobs:\n  a:\n    run: x\n"
                     "    env:\n";
  for (int i = 0; i < 40; ++i) text += "      K" + std::to_string(i) + ": *big\n";
  LoadResult r = LoadString(text, "env.yml");
  ASSERT_TRUE(r.problems.has_errors());
  const Problem& p = r.problems.all().front();
  EXPECT_NE(p.message.find("MiB of text"), std::string::npos) << p.message;
  EXPECT_EQ(p.loc.line, 6 + 30);  // 1 + 31 MiB and the keys' bytes cross 32 MiB
  EXPECT_NE(p.hint.find("alias"), std::string::npos);
}

TEST(LoadHostileTest, BelowTheBoundAliasesStillWork) {
  YamlDocument doc;
  YamlError err;
  ASSERT_TRUE(doc.Parse(AliasBomb(5, 10), &err));
  EXPECT_EQ(doc.root()->val(5)->expanded_nodes,
            1 + 10 * (1 + 10 * (1 + 10 * (1 + 10 * (1 + 10 * 2)))));
}

TEST(LoadHostileTest, InvalidUtf8IsPlacedAtItsByte) {
  std::string text = "jobs:\n  a:\n    run: echo caf\xe9 ok\n";
  LoadResult r = LoadString(text, "latin1.yml");
  ASSERT_TRUE(r.problems.has_errors());
  const Problem& p = r.problems.all().front();
  EXPECT_EQ(p.loc.line, 3);
  EXPECT_EQ(p.loc.col, 18);  // the 0xe9 after "caf"
  EXPECT_NE(p.message.find("not valid UTF-8"), std::string::npos) << p.message;
  EXPECT_NE(p.message.find("0xe9"), std::string::npos) << p.message;
}

TEST(LoadHostileTest, BinaryBytesAreNeverPrintedRaw) {
  std::string text = "jobs:\n  a:\n    run: x\n  \x01\x1b[2Jb\x7f: {run: y}\n";
  LoadResult r = LoadString(text, "bin.yml");
  ASSERT_TRUE(r.problems.has_errors());
  std::string shown = r.problems.Format(r.source);
  for (char c : shown) {
    unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 || c == '\n' || c == '\t') << "raw byte " << int(u) << " in:\n" << shown;
    EXPECT_NE(u, 0x7f);
  }
  EXPECT_NE(shown.find("\\x01"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\\x1b"), std::string::npos) << shown;
  // JSON output stays valid too.
  EXPECT_NO_THROW(r.problems.ToJson().dump());
}

TEST(LoadHostileTest, CaretLinesUpUnderEscapedBytes) {
  Problems p;
  p.Error(Location{"f.yml", 1, 4}, "here");
  // "a\x01b" then the error at 'c' (the 4th character): \x01 shows as four characters.
  std::string shown = p.Format(
      "a\x01"
      "bc\n");
  EXPECT_NE(shown.find("a\\x01bc\n      ^"), std::string::npos) << shown;
}

}  // namespace
}  // namespace gauntlet::spec
