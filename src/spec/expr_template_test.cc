#include <gtest/gtest.h>

#include <string>

#include "spec/expr.h"

namespace gauntlet::spec {
namespace {

using json = nlohmann::json;

EvalContext TemplateContext() {
  EvalContext ctx;
  ctx.contexts = json::parse(R"({
    "matrix": {"py": "3.12", "n": 3.0, "half": 0.5, "list": [1, "a"], "on": true},
    "env": {"NAME": "World"}
  })");
  return ctx;
}

struct RenderCase {
  const char* text;
  const char* want;
};
void PrintTo(const RenderCase& c, std::ostream* os) { *os << c.text; }

class TemplateRenderTest : public testing::TestWithParam<RenderCase> {};

TEST_P(TemplateRenderTest, Renders) {
  Template t;
  ExprError err;
  ASSERT_TRUE(Template::Parse(GetParam().text, &t, &err)) << err.message;
  Result<std::string> s = t.Render(TemplateContext());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(*s, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Render, TemplateRenderTest,
    testing::Values(RenderCase{"plain text", "plain text"}, RenderCase{"", ""},
                    RenderCase{"python ${{ matrix.py }}", "python 3.12"},
                    RenderCase{"${{matrix.py}}${{ matrix.py }}", "3.123.12"},
                    RenderCase{"[${{ env.MISSING }}]", "[]"},  // null -> ""
                    RenderCase{"n=${{ matrix.n }} h=${{ matrix.half }}", "n=3 h=0.5"},
                    RenderCase{"${{ matrix.list }}", R"([1,"a"])"},
                    RenderCase{"${{ matrix.on }}/${{ !matrix.on }}", "true/false"},
                    RenderCase{"${{ format('{{{0}}}', env.NAME) }}",
                               "{World}"},  // }} inside a string
                    RenderCase{"${{ 'it''s }}' }}", "it's }}"},
                    RenderCase{"cost: $5 {not} ${ {x} }", "cost: $5 {not} ${ {x} }"},
                    RenderCase{"a}}b", "a}}b"},
                    RenderCase{"Hello ${{ env.NAME }}!", "Hello World!"}));

TEST(TemplateTest, ExposesExpressionsWithOffsets) {
  Template t;
  ASSERT_TRUE(Template::Parse("ab ${{ matrix.py }} ${{env.NAME}}", &t, nullptr));
  EXPECT_TRUE(t.has_expressions());
  ASSERT_EQ(t.expressions().size(), 2u);
  EXPECT_EQ(t.expressions()[0].second, 6u);
  EXPECT_EQ(t.expressions()[0].first.text(), " matrix.py ");
  EXPECT_EQ(t.expressions()[1].second, 23u);
  // Reference offsets are within the expression; adding the template offset gives the
  // position in the whole string.
  auto refs = t.expressions()[0].first.References();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(t.expressions()[0].second + refs[0].offset, 7u);

  Template plain;
  ASSERT_TRUE(Template::Parse("no expressions", &plain, nullptr));
  EXPECT_FALSE(plain.has_expressions());
}

struct TemplateErrorCase {
  const char* text;
  size_t offset;
  const char* message;
  const char* hint;
};
void PrintTo(const TemplateErrorCase& c, std::ostream* os) { *os << c.text; }

class TemplateErrorTest : public testing::TestWithParam<TemplateErrorCase> {};

TEST_P(TemplateErrorTest, ReportsOffsetInWholeString) {
  const TemplateErrorCase& c = GetParam();
  Template t;
  ExprError err;
  ASSERT_FALSE(Template::Parse(c.text, &t, &err));
  EXPECT_EQ(err.offset, c.offset) << err.message;
  EXPECT_NE(err.message.find(c.message), std::string::npos) << err.message;
  EXPECT_NE(err.hint.find(c.hint), std::string::npos) << err.hint;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, TemplateErrorTest,
    testing::Values(
        TemplateErrorCase{"abc ${{ matrix.py", 4, "unterminated '${{'", "close the expression"},
        TemplateErrorCase{"x ${{ 'open }}", 2, "unterminated '${{'", "'string' inside it"},
        TemplateErrorCase{"ok ${{ a }} bad ${{ a & b }}", 22, "'&'", "use '&&'"},
        TemplateErrorCase{"${{ }}", 3, "empty expression", ""},
        TemplateErrorCase{"${{ foo() }}", 4, "unknown function 'foo'", ""}));

TEST(TemplateTest, RenderErrorNamesTheExpression) {
  Template t;
  ASSERT_TRUE(Template::Parse("v=${{ format('{1}', 'a') }}", &t, nullptr));
  Result<std::string> s = t.Render(TemplateContext());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("in ${{  format('{1}', 'a')  }}: format()"), std::string::npos)
      << s.error().message;
}

TEST(TemplateTest, DefaultTemplateRendersEmpty) {
  Template t;
  Result<std::string> s = t.Render(EvalContext{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "");
}

}  // namespace
}  // namespace gauntlet::spec
