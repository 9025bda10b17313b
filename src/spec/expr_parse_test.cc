// Parse errors, References() and Calls().
#include <gtest/gtest.h>

#include <string>

#include "spec/expr.h"

namespace gauntlet::spec {
namespace {

struct ErrorCase {
  const char* expr;
  size_t offset;
  const char* message;  // a substring of ExprError::message
  const char* hint;     // a substring of ExprError::hint
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.expr; }

class ExprParseErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ExprParseErrorTest, ReportsOffsetAndHint) {
  const ErrorCase& c = GetParam();
  Expr e;
  ExprError err;
  ASSERT_FALSE(Expr::Parse(c.expr, &e, &err)) << c.expr;
  EXPECT_EQ(err.offset, c.offset) << c.expr << ": " << err.message;
  EXPECT_NE(err.message.find(c.message), std::string::npos)
      << c.expr << ": message was: " << err.message;
  EXPECT_NE(err.hint.find(c.hint), std::string::npos) << c.expr << ": hint was: " << err.hint;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ExprParseErrorTest,
    testing::Values(
        ErrorCase{"", 0, "empty expression", "write a value"},
        ErrorCase{"   ", 0, "empty expression", ""},
        ErrorCase{"a & b", 2, "unexpected character '&'", "use '&&'"},
        ErrorCase{"a | b", 2, "unexpected character '|'", "use '||'"},
        ErrorCase{"a = b", 2, "'=' is not an operator", "use '=='"},
        ErrorCase{"x == 'abc", 5, "unterminated string", "''"},
        ErrorCase{"x == \"abc\"", 5, "'\"'", "single quotes"},
        ErrorCase{"(a || (b && c)", 14, "expected ')'", "to close '(' at 0"},
        ErrorCase{"foo((a)", 0, "unknown function 'foo'", "known functions"},
        ErrorCase{"contains(a, b", 13, "expected ')'", "to close '(' at 8"},
        ErrorCase{"matrix['os'", 11, "expected ']'", "to close '[' at 6"},
        ErrorCase{"a)", 1, "unexpected ')'", "no '('"},
        ErrorCase{"a b", 2, "unexpected 'b'", "expected an operator"},
        ErrorCase{"a &&", 4, "unexpected end of expression", "after '&&'"},
        ErrorCase{"== a", 0, "unexpected '=='", "expected a value"},
        ErrorCase{"a.", 2, "expected a property name after '.'", "'*'"},
        ErrorCase{"a.'b'", 2, "expected a property name", "['...']"},
        ErrorCase{"1.2.3", 0, "invalid number '1.2.3'", "0xff"},
        ErrorCase{"0xZZ", 0, "invalid number", ""}, ErrorCase{"1e999", 0, "invalid number", ""},
        ErrorCase{"12abc", 0, "invalid number '12abc'", ""},
        ErrorCase{"1 + 2", 2, "unexpected character '+'", "no arithmetic"},
        ErrorCase{"a - b", 2, "unexpected character '-'", "no arithmetic"},
        ErrorCase{"${{ a }}", 0, "'$'", "without its ${{ }} wrapper"},
        ErrorCase{"a ; b", 2, "unexpected character ';'", ""},
        ErrorCase{"a \x01", 2, "'\\x01'", ""},
        ErrorCase{"nope(1)", 0, "unknown function 'nope'", "contains, startsWith"},
        ErrorCase{"x && contains('a')", 5, "contains() takes exactly 2 arguments, got 1",
                  "contains(search, item)"},
        ErrorCase{"success(1)", 0, "success() takes exactly 0 arguments", "no arguments"},
        ErrorCase{"format()", 0, "format() takes at least 1 argument", "format('{0}"},
        ErrorCase{"join(a, b, c)", 0, "join() takes 1 to 2 arguments, got 3", "join(array"},
        ErrorCase{"toJSON()", 0, "toJSON() takes exactly 1 argument,", "toJSON(value)"},
        ErrorCase{"contains(a,)", 11, "unexpected ')'", "after ','"},
        ErrorCase{"a.b(1)", 3, "unexpected '('", "only functions can be called"},
        ErrorCase{"a, b", 1, "unexpected ','", "separates function arguments"},
        ErrorCase{"a[]", 2, "unexpected ']'", "expected a value after '['"},
        ErrorCase{"!", 1, "unexpected end of expression", "after '!'"}));

TEST(ExprParseTest, FunctionNamesAreCaseInsensitive) {
  Expr e;
  EXPECT_TRUE(Expr::Parse("STARTSWITH(a, 'x') || toJson(b) || FromJSON('1')", &e, nullptr));
  auto calls = e.Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], (std::pair<std::string, size_t>{"startsWith", 0}));
  EXPECT_EQ(calls[1], (std::pair<std::string, size_t>{"toJSON", 22}));
  EXPECT_EQ(calls[2], (std::pair<std::string, size_t>{"fromJSON", 35}));
}

TEST(ExprParseTest, DeepNestingIsAnErrorNotAStackOverflow) {
  for (const char* unit : {"(", "!", "a[", "contains(1,"}) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += unit;
    Expr e;
    ExprError err;
    ASSERT_FALSE(Expr::Parse(text, &e, &err)) << unit;
    EXPECT_NE(err.message.find("nested too deeply"), std::string::npos) << unit << err.message;
  }
  // Long flat chains are trees too: a.a.a... and a == a == a ... are refused, not overflowed.
  for (const char* unit : {".a", " == a", "[0]"}) {
    std::string text = "a";
    for (int i = 0; i < 100000; ++i) text += unit;
    Expr e;
    ExprError err;
    ASSERT_FALSE(Expr::Parse(text, &e, &err)) << unit;
    EXPECT_NE(err.message.find("nested too deeply"), std::string::npos) << unit;
  }
  // But wide || and && chains are flat and fine.
  std::string wide = "a";
  for (int i = 0; i < 10000; ++i) wide += " || a";
  Expr e;
  EXPECT_TRUE(Expr::Parse(wide, &e, nullptr));
  std::string ok = "a";
  for (int i = 0; i < 50; ++i) ok = "(" + ok + ")";
  EXPECT_TRUE(Expr::Parse(ok, &e, nullptr));
}

using Paths = std::vector<std::vector<std::string>>;

Paths RefPaths(const char* text, std::vector<size_t>* offsets = nullptr) {
  Expr e;
  ExprError err;
  EXPECT_TRUE(Expr::Parse(text, &e, &err)) << text << ": " << err.message;
  Paths out;
  for (const auto& r : e.References()) {
    out.push_back(r.path);
    if (offsets) offsets->push_back(r.offset);
  }
  return out;
}

TEST(ExprParseTest, ReferencesListLeadingLiteralPaths) {
  std::vector<size_t> offsets;
  EXPECT_EQ(RefPaths("needs.build.outputs.version == '1' && env.X", &offsets),
            (Paths{{"needs", "build", "outputs", "version"}, {"env", "X"}}));
  EXPECT_EQ(offsets, (std::vector<size_t>{0, 38}));
  EXPECT_EQ(RefPaths("needs['test-unit'].result"), (Paths{{"needs", "test-unit", "result"}}));
  // A computed index ends the path, and the index's own references are listed.
  offsets.clear();
  EXPECT_EQ(RefPaths("matrix[env.KEY].x", &offsets), (Paths{{"matrix"}, {"env", "KEY"}}));
  EXPECT_EQ(offsets, (std::vector<size_t>{0, 7}));
  EXPECT_EQ(RefPaths("matrix.list[0].name"), (Paths{{"matrix", "list"}}));
  EXPECT_EQ(RefPaths("needs.*.result"), (Paths{{"needs"}}));
  EXPECT_EQ(RefPaths("branch"), (Paths{{"branch"}}));
  EXPECT_EQ(RefPaths("format('{0}', secrets.T) == fromJSON(env.J).a"),
            (Paths{{"secrets", "T"}, {"env", "J"}}));
  EXPECT_EQ(RefPaths("'literal' == true || success()"), Paths{});
  // Keywords are literals, not references.
  EXPECT_EQ(RefPaths("null || NaN || Infinity"), Paths{});
}

TEST(ExprParseTest, CallsListNestedFunctions) {
  Expr e;
  ASSERT_TRUE(Expr::Parse("always() && contains(join(matrix.flags), 'a')", &e, nullptr));
  auto calls = e.Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].first, "always");
  EXPECT_EQ(calls[1].first, "contains");
  EXPECT_EQ(calls[1].second, 12u);
  EXPECT_EQ(calls[2].first, "join");
  EXPECT_EQ(calls[2].second, 21u);
}

TEST(ExprParseTest, ConditionMayBeBareOrWrappedWhole) {
  EvalContext ctx;
  ctx.contexts = nlohmann::json::parse(R"({"branch": "main"})");
  for (const char* text : {"branch == 'main'", "${{ branch == 'main' }}",
                           "  ${{branch == 'main'}}  ", "${{ format('{{x}}') != '' }}"}) {
    Expr e;
    ExprError err;
    ASSERT_TRUE(Expr::ParseCondition(text, &e, &err)) << text << ": " << err.message;
    Result<bool> r = EvaluateCondition(e, ctx);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_TRUE(*r) << text;
  }
  // Offsets stay relative to the condition as written.
  Expr e;
  ExprError err;
  ASSERT_TRUE(Expr::ParseCondition("${{ env.X }}", &e, &err));
  ASSERT_EQ(e.References().size(), 1u);
  EXPECT_EQ(e.References()[0].offset, 4u);
  ASSERT_FALSE(Expr::ParseCondition("${{ a = b }}", &e, &err));
  EXPECT_EQ(err.offset, 6u);
  ASSERT_FALSE(Expr::ParseCondition("${{ a }} && ${{ b }}", &e, &err));
  EXPECT_EQ(err.offset, 0u);
  EXPECT_NE(err.message.find("one expression"), std::string::npos);
  ASSERT_FALSE(Expr::ParseCondition("x ${{ a }}", &e, &err));
  EXPECT_EQ(err.offset, 2u);
  ASSERT_FALSE(Expr::ParseCondition("${{ a ", &e, &err));
  EXPECT_NE(err.message.find("unterminated"), std::string::npos);
}

TEST(ExprParseTest, CallsStatusFunction) {
  struct Row {
    const char* text;
    bool calls;
  };
  for (const Row& row :
       {Row{"branch == 'main'", false}, Row{"failure()", true}, Row{"always() && x", true},
        Row{"contains(x, 'y') || !Cancelled()", true}, Row{"success", false}}) {
    Expr e;
    ASSERT_TRUE(Expr::Parse(row.text, &e, nullptr)) << row.text;
    EXPECT_EQ(e.CallsStatusFunction(), row.calls) << row.text;
  }
}

}  // namespace
}  // namespace gauntlet::spec
