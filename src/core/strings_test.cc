#include "core/strings.h"

#include <gtest/gtest.h>

namespace gauntlet {
namespace {

TEST(StringsTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("need", "needs"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("bulid", "build"), 1u);
  EXPECT_EQ(EditDistance("ab", "ba"), 1u);
}

TEST(StringsTest, DidYouMeanPicksClosePlausibleCandidate) {
  std::vector<std::string> keys = {"name", "needs", "run", "commands", "environment"};
  EXPECT_EQ(DidYouMean("need", keys), "needs");
  EXPECT_EQ(DidYouMean("comands", keys), "commands");
  EXPECT_EQ(DidYouMean("enviroment", keys), "environment");
  EXPECT_EQ(DidYouMean("NAME", keys), "name");
  EXPECT_EQ(DidYouMean("biuld", {"build", "test"}), "build");
  EXPECT_EQ(DidYouMean("zzzzzz", keys), "");
  EXPECT_EQ(DidYouMean("x", {}), "");
}

TEST(StringsTest, JoinComma) {
  EXPECT_EQ(JoinComma({}), "");
  EXPECT_EQ(JoinComma({"a", "b"}), "a, b");
}

TEST(StringsTest, Utf8SequenceLengths) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xc3\xa9", 0), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xe2\x9c\x93", 0), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(Utf8SequenceLength("\xe9 ", 0), 0u);          // a lead byte without its tail
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);           // a stray continuation byte
  EXPECT_EQ(Utf8SequenceLength("\xc0\xaf", 0), 0u);       // overlong '/'
  EXPECT_EQ(Utf8SequenceLength("\xed\xa0\x80", 0), 0u);  // a surrogate
  EXPECT_EQ(Utf8SequenceLength("\xf4\x90\x80\x80", 0), 0u);  // past U+10FFFF
}

TEST(StringsTest, PrintableTextEscapesWhatATerminalWouldObey) {
  EXPECT_EQ(PrintableText("plain \xc3\xa9t\xc3\xa9\ttab"), "plain \xc3\xa9t\xc3\xa9\ttab");
  EXPECT_EQ(PrintableText("\x1b[2J\x01\x7f\xff\n"), "\\x1b[2J\\x01\\x7f\\xff\\x0a");
}

}  // namespace
}  // namespace gauntlet
