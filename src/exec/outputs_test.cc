#include "exec/outputs.h"

#include <gtest/gtest.h>

namespace gauntlet::exec {
namespace {

TEST(OutputsTest, KeyValueAndHeredoc) {
  auto r = ParseOutputs("version=1.2.3\n\nnotes<<EOF\nline 1\nline=2\nEOF\r\nurl=http://x/?a=b\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  Outputs want = {{"version", "1.2.3"}, {"notes", "line 1\nline=2"}, {"url", "http://x/?a=b"}};
  EXPECT_EQ(*r, want);
}

TEST(OutputsTest, LaterValuesOverwrite) {
  auto r = ParseOutputs("a=1\nb=2\na=3");
  ASSERT_TRUE(r.ok());
  Outputs want = {{"a", "3"}, {"b", "2"}};
  EXPECT_EQ(*r, want);
}

TEST(OutputsTest, EmptyValueAndEmptyHeredoc) {
  auto r = ParseOutputs("a=\nb<<X\nX\n");
  ASSERT_TRUE(r.ok());
  Outputs want = {{"a", ""}, {"b", ""}};
  EXPECT_EQ(*r, want);
}

TEST(OutputsTest, ErrorsNameTheLine) {
  auto r = ParseOutputs("a=1\njust text\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "$GAUNTLET_OUTPUT line 2: expected key=value or key<<DELIMITER, got 'just text'");
  auto h = ParseOutputs("a=1\nb<<EOF\nnever closed\n");
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("line 2:"), std::string::npos) << h.error().message;
  auto k = ParseOutputs("=v\n");
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.error().message.find("line 1: invalid output name"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::exec
