#include "spec/yaml_reader.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

class YamlReaderTest : public ::testing::Test {
 protected:
  const YamlNode* Parse(const std::string& text) {
    source_ = text;
    YamlError err;
    EXPECT_TRUE(doc_.Parse(source_, &err)) << err.message;
    return doc_.root();
  }
  YamlReader Reader() { return YamlReader("f.yml", source_, &problems_); }

  std::string source_;
  YamlDocument doc_;
  Problems problems_;
};

TEST_F(YamlReaderTest, LocAtMapsOffsetsThroughQuotesAndBlocks) {
  const YamlNode* root = Parse(
      "a: x ${{ y }}\n"
      "b: \"x ${{ y }}\"\n"
      "c: |\n"
      "    first\n"
      "    x ${{ y }}\n");
  YamlReader r = Reader();
  Location a = r.LocAt(root->val(0), 2);
  EXPECT_EQ(a.line, 1);
  EXPECT_EQ(a.col, 6);
  Location b = r.LocAt(root->val(1), 2);
  EXPECT_EQ(b.line, 2);
  EXPECT_EQ(b.col, 7);
  // "first\nx ${{ y }}\n": offset 8 is the '$' on the block's second line.
  Location c = r.LocAt(root->val(2), 8);
  EXPECT_EQ(c.line, 5);
  EXPECT_EQ(c.col, 7);
}

TEST_F(YamlReaderTest, TypeErrorsNameWhatWasExpectedAndFound) {
  const YamlNode* root = Parse("a: {x: 1}\nb: [1, [2]]\nc: 300\nd: yes\n");
  YamlReader r = Reader();
  std::string s;
  EXPECT_FALSE(r.String(root->val(0), &s));
  std::vector<std::string> list;
  EXPECT_FALSE(r.StringList(root->val(1), &list));
  int i = 0;
  EXPECT_FALSE(r.Int(root->val(2), &i, 0, 100));
  bool b = false;
  EXPECT_FALSE(r.Bool(root->val(3), &b));
  ASSERT_EQ(problems_.all().size(), 4u);
  EXPECT_EQ(problems_.all()[0].message, "expected a string, got a map");
  EXPECT_EQ(problems_.all()[1].message, "expected a string, got a list");
  EXPECT_EQ(problems_.all()[1].loc.col, 8);
  EXPECT_EQ(problems_.all()[2].message, "value 300 is out of range");
  EXPECT_EQ(problems_.all()[3].message, "expected true or false, got a string");
}

TEST_F(YamlReaderTest, ForEachReportsUnknownAndDuplicateKeys) {
  const YamlNode* root = Parse("name: a\nneed: b\nname: c\n");
  YamlReader r = Reader();
  std::vector<std::string> seen;
  r.ForEach(root, "job 'x'", {"name", "needs"},
            [&](const std::string& k, const YamlNode*, const YamlNode*) { seen.push_back(k); });
  EXPECT_EQ(seen, std::vector<std::string>{"name"});
  ASSERT_EQ(problems_.all().size(), 2u);
  EXPECT_EQ(problems_.all()[0].message, "unknown key 'need' in job 'x'");
  EXPECT_EQ(problems_.all()[0].hint, "did you mean 'needs'? valid keys: name, needs");
  EXPECT_EQ(problems_.all()[1].message, "duplicate key 'name' in job 'x'");
}

}  // namespace
}  // namespace gauntlet::spec
