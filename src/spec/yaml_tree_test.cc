#include "spec/yaml_tree.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

TEST(YamlTreeTest, KeepsPositionsAndStyles) {
  YamlDocument doc;
  YamlError err;
  ASSERT_TRUE(doc.Parse("a: plain\nb: 'single'\nc: \"double\"\nd: |\n  block\n", &err));
  const YamlNode* root = doc.root();
  ASSERT_TRUE(root && root->is_map());
  ASSERT_EQ(root->pairs(), 4u);
  EXPECT_EQ(root->key(1)->value, "b");
  EXPECT_EQ(root->key(1)->line, 1);
  EXPECT_EQ(root->val(1)->col, 3);
  EXPECT_EQ(root->val(0)->style, YamlNode::Style::kPlain);
  EXPECT_EQ(root->val(1)->style, YamlNode::Style::kSingleQuoted);
  EXPECT_EQ(root->val(2)->style, YamlNode::Style::kDoubleQuoted);
  EXPECT_EQ(root->val(3)->style, YamlNode::Style::kLiteral);
  EXPECT_EQ(root->val(3)->value, "block\n");
}

TEST(YamlTreeTest, NullsAndOnKeyStayStrings) {
  YamlDocument doc;
  YamlError err;
  ASSERT_TRUE(doc.Parse("on: push\nx:\ny: ~\nz: ''\n", &err));
  const YamlNode* root = doc.root();
  EXPECT_EQ(root->key(0)->value, "on");
  EXPECT_TRUE(root->val(1)->is_null());
  EXPECT_TRUE(root->val(2)->is_null());
  EXPECT_FALSE(root->val(3)->is_null());  // quoted empty string is a string
}

TEST(YamlTreeTest, AliasesShareNodesAndCyclesAreRefused) {
  YamlDocument doc;
  YamlError err;
  ASSERT_TRUE(doc.Parse("a: &x [1, 2]\nb: *x\n", &err));
  EXPECT_EQ(doc.root()->val(0), doc.root()->val(1));
  EXPECT_FALSE(doc.Parse("a: &x [1, *x]\n", &err));
  EXPECT_NE(err.message.find("refers to a node containing it"), std::string::npos);
  EXPECT_FALSE(doc.Parse("a: *nope\n", &err));
  EXPECT_NE(err.message.find("unknown anchor"), std::string::npos);
}

TEST(YamlTreeTest, SyntaxErrorHasPosition) {
  YamlDocument doc;
  YamlError err;
  EXPECT_FALSE(doc.Parse("a: b\n c: [d\n", &err));
  EXPECT_EQ(err.line, 1);
  EXPECT_NE(err.message.find("YAML syntax error"), std::string::npos);
  EXPECT_EQ(doc.root(), nullptr);
}

TEST(YamlTreeTest, DeepNestingIsRefused) {
  YamlDocument doc;
  YamlError err;
  std::string deep(YamlDocument::kMaxDepth + 1, '[');
  EXPECT_FALSE(doc.Parse(deep, &err));
  EXPECT_NE(err.message.find("nesting deeper"), std::string::npos);
  std::string ok = std::string(10, '[') + std::string(10, ']');
  EXPECT_TRUE(doc.Parse(ok, &err));
}

TEST(YamlTreeTest, EmptyDocumentHasNoRoot) {
  YamlDocument doc;
  YamlError err;
  EXPECT_TRUE(doc.Parse("", &err));
  EXPECT_EQ(doc.root(), nullptr);
  EXPECT_TRUE(doc.Parse("# only a comment\n", &err));
  EXPECT_EQ(doc.root(), nullptr);
}

}  // namespace
}  // namespace gauntlet::spec
