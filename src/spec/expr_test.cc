#include "spec/expr.h"

#include <gtest/gtest.h>

#include <string>

namespace gauntlet::spec {
namespace {

using json = nlohmann::json;

EvalContext TestContext() {
  EvalContext ctx;
  ctx.contexts = json::parse(R"({
    "env": {"CI": "true", "NAME": "World", "EMPTY": "", "NUM": "42", "HEX": "0x1F", "ONE": "1"},
    "matrix": {"os": "linux", "py": "3.12", "shard": 2, "flags": ["a", "b"]},
    "needs": {
      "build": {"result": "success", "outputs": {"version": "1.2.3"}},
      "test-unit": {"result": "failure", "outputs": {}}
    },
    "branch": "main",
    "event": "push",
    "secrets": {"TOKEN": "s3cr3t"},
    "changes": {"src": true, "docs": false},
    "objs": [{"name": "a", "v": 1}, {"name": "b", "v": 2}, {"other": 3}],
    "nested": {"x": {"items": [1, 2]}, "y": {"items": [3]}},
    "key": "os"
  })");
  return ctx;
}

struct EvalCase {
  const char* expr;
  const char* want;  // JSON text of the expected value
};

void PrintTo(const EvalCase& c, std::ostream* os) { *os << c.expr; }

class ExprEvalTest : public testing::TestWithParam<EvalCase> {};

TEST_P(ExprEvalTest, Evaluates) {
  const EvalCase& c = GetParam();
  Expr e;
  ExprError err;
  ASSERT_TRUE(Expr::Parse(c.expr, &e, &err))
      << c.expr << ": " << err.message << " at " << err.offset;
  Result<json> v = Evaluate(e, TestContext());
  ASSERT_TRUE(v.ok()) << c.expr << ": " << v.error().message;
  json want = json::parse(c.want);
  // Compare as text so 3 (int) and 3.0 (double) are the same value.
  EXPECT_EQ(v->dump(), want.dump()) << c.expr;
}

INSTANTIATE_TEST_SUITE_P(
    Literals, ExprEvalTest,
    testing::Values(EvalCase{"'hello'", R"("hello")"}, EvalCase{"'it''s'", R"("it's")"},
                    EvalCase{"''", R"("")"}, EvalCase{"42", "42.0"}, EvalCase{"-1.5", "-1.5"},
                    EvalCase{"1e3", "1000.0"}, EvalCase{"2.5E-1", "0.25"}, EvalCase{"0x1F", "31.0"},
                    EvalCase{"0o17", "15.0"}, EvalCase{"-0x10", "-16.0"}, EvalCase{".5", "0.5"},
                    EvalCase{"true", "true"}, EvalCase{"false", "false"}, EvalCase{"null", "null"},
                    EvalCase{"  ( 'spaced' )  ", R"("spaced")"}));

INSTANTIATE_TEST_SUITE_P(
    Contexts, ExprEvalTest,
    testing::Values(EvalCase{"env.NAME", R"("World")"}, EvalCase{"matrix.shard", "2"},
                    EvalCase{"needs.build.outputs.version", R"("1.2.3")"},
                    EvalCase{"needs.build.result", R"("success")"},
                    EvalCase{"needs.test-unit.result", R"("failure")"},
                    EvalCase{"needs['test-unit'].result", R"("failure")"},
                    EvalCase{"branch", R"("main")"}, EvalCase{"event", R"("push")"},
                    EvalCase{"secrets.TOKEN", R"("s3cr3t")"}, EvalCase{"changes.src", "true"},
                    EvalCase{"matrix['os']", R"("linux")"}, EvalCase{"matrix[key]", R"("linux")"},
                    EvalCase{"matrix.flags[1]", R"("b")"}, EvalCase{"matrix.flags[5]", "null"},
                    EvalCase{"matrix.flags[-1]", "null"}, EvalCase{"matrix.flags['1']", "null"},
                    EvalCase{"matrix.flags[env.ONE]", "null"},
                    EvalCase{"matrix.flags[1.7]", R"("b")"}, EvalCase{"matrix.flags[NaN]", "null"},
                    EvalCase{"env.MISSING", "null"}, EvalCase{"nosuch.deep.path", "null"},
                    EvalCase{"env.NAME.length", "null"},
                    // Context and property names are case-insensitive, as in GitHub.
                    EvalCase{"ENV.name", R"("World")"}, EvalCase{"Matrix.OS", R"("linux")"},
                    EvalCase{"matrix",
                             R"({"flags":["a","b"],"os":"linux","py":"3.12","shard":2})"}));

INSTANTIATE_TEST_SUITE_P(
    Filters, ExprEvalTest,
    testing::Values(EvalCase{"objs.*.name", R"(["a","b"])"}, EvalCase{"objs[*].v", "[1,2]"},
                    EvalCase{"needs.*.result", R"(["success","failure"])"},
                    EvalCase{"nested.*.items", "[[1,2],[3]]"},
                    EvalCase{"nested.*.items.*", "[1,2,3]"}, EvalCase{"nested.*.items[0]", "[1,3]"},
                    EvalCase{"matrix.flags.*", R"(["a","b"])"}, EvalCase{"branch.*", "[]"},
                    EvalCase{"contains(needs.*.result, 'failure')", "true"},
                    EvalCase{"fromJSON('[{\"a\":1},{\"a\":2}]').*.a", "[1,2]"}));

INSTANTIATE_TEST_SUITE_P(
    Logic, ExprEvalTest,
    testing::Values(
        EvalCase{"!true", "false"}, EvalCase{"!''", "true"}, EvalCase{"!!'x'", "true"},
        EvalCase{"!env.MISSING", "true"},
        // && and || return the deciding operand, not just a boolean.
        EvalCase{"env.MISSING || 'default'", R"("default")"},
        EvalCase{"env.NAME || 'default'", R"("World")"}, EvalCase{"env.NAME && 'yes'", R"("yes")"},
        EvalCase{"env.EMPTY && 'yes'", R"("")"}, EvalCase{"0 || null", "null"},
        EvalCase{"1 && 2 && 3", "3.0"}, EvalCase{"false || 0 || 'last'", R"("last")"},
        // Short-circuit: the right side would fail if it were evaluated.
        EvalCase{"false && fromJSON('{bad')", "false"}, EvalCase{"true || format('{9}')", "true"},
        // Precedence: ! binds tightest, then relational, equality, &&, ||.
        EvalCase{"true || false && false", "true"}, EvalCase{"(true || false) && false", "false"},
        EvalCase{"!false == true", "true"}, EvalCase{"1 < 2 == true", "true"},
        EvalCase{"2 > 1 && 'b' > 'a'", "true"}));

INSTANTIATE_TEST_SUITE_P(
    Comparison, ExprEvalTest,
    testing::Values(
        EvalCase{"branch == 'main'", "true"}, EvalCase{"branch == 'MAIN'", "true"},
        EvalCase{"branch != 'main'", "false"}, EvalCase{"'abc' < 'abd'", "true"},
        EvalCase{"'ABC' < 'abd'", "true"}, EvalCase{"'b' >= 'B'", "true"},
        EvalCase{"'_' > 'a'", "true"},  // ordinal on upper case, as GitHub
        EvalCase{"1 == 1.0", "true"}, EvalCase{"3 <= 2", "false"}, EvalCase{"3 >= 3", "true"},
        // Different kinds compare as numbers.
        EvalCase{"null == 0", "true"}, EvalCase{"false == 0", "true"},
        EvalCase{"true == 1", "true"}, EvalCase{"'42' == 42", "true"},
        EvalCase{"env.NUM == 42", "true"}, EvalCase{"env.HEX == 31", "true"},
        EvalCase{"' 7 ' == 7", "true"}, EvalCase{"'' == 0", "true"},
        EvalCase{"'' == false", "true"}, EvalCase{"'abc' == 0", "false"},
        EvalCase{"null == false", "true"}, EvalCase{"null == ''", "true"},
        EvalCase{"matrix.shard == '2'", "true"}, EvalCase{"env.CI == true", "false"},
        EvalCase{"null == null", "true"}, EvalCase{"true < 2", "true"},
        // NaN: every comparison false, != true.
        EvalCase{"'abc' < 1", "false"}, EvalCase{"'abc' >= 1", "false"},
        EvalCase{"NaN == NaN", "false"}, EvalCase{"NaN != NaN", "true"},
        // Arrays and objects are equal only to themselves.
        EvalCase{"matrix == matrix", "true"}, EvalCase{"matrix.flags == matrix.flags", "true"},
        EvalCase{"fromJSON('[]') == fromJSON('[]')", "false"}, EvalCase{"matrix == 0", "false"}));

TEST(ExprTest, TruthyFollowsGitHub) {
  EXPECT_FALSE(Truthy(json(false)));
  EXPECT_FALSE(Truthy(json(0)));
  EXPECT_FALSE(Truthy(json(-0.0)));
  EXPECT_FALSE(Truthy(json(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_FALSE(Truthy(json("")));
  EXPECT_FALSE(Truthy(json(nullptr)));
  EXPECT_TRUE(Truthy(json("false")));
  EXPECT_TRUE(Truthy(json("0")));
  EXPECT_TRUE(Truthy(json(0.5)));
  EXPECT_TRUE(Truthy(json::array()));
  EXPECT_TRUE(Truthy(json::object()));
}

TEST(ExprTest, ToTextFormsForInterpolation) {
  EXPECT_EQ(ToText(json(nullptr)), "");
  EXPECT_EQ(ToText(json(3.0)), "3");
  EXPECT_EQ(ToText(json(-0.0)), "0");
  EXPECT_EQ(ToText(json(1.5)), "1.5");
  EXPECT_EQ(ToText(json(0.1)), "0.1");
  EXPECT_EQ(ToText(json(1e20)), "1e+20");
  EXPECT_EQ(ToText(json(12345678901234)), "12345678901234");
  EXPECT_EQ(ToText(json(std::numeric_limits<double>::quiet_NaN())), "NaN");
  EXPECT_EQ(ToText(json(std::numeric_limits<double>::infinity())), "Infinity");
  EXPECT_EQ(ToText(json(true)), "true");
  EXPECT_EQ(ToText(json(false)), "false");
  EXPECT_EQ(ToText(json("x")), "x");
  EXPECT_EQ(ToText(json::parse(R"([1,"a",{"b":null}])")), R"([1,"a",{"b":null}])");
  EXPECT_EQ(ToText(json("\xff")), "\xff");
  EXPECT_EQ(ToText(json::array({"\xff"})), "[\"\xEF\xBF\xBD\"]");  // replaced, not thrown
}

TEST(ExprTest, EvaluateConditionAppliesTruthiness) {
  EvalContext ctx = TestContext();
  Expr e;
  ASSERT_TRUE(Expr::Parse("env.EMPTY", &e, nullptr));
  Result<bool> r = EvaluateCondition(e, ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  ASSERT_TRUE(Expr::Parse("matrix.os == 'linux' && success()", &e, nullptr));
  r = EvaluateCondition(e, ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
}

TEST(ExprTest, SharedContextsAreConsultedWhenMissing) {
  json shared = json::parse(R"({"branch": "release", "env": {"SHARED": "1"}})");
  EvalContext ctx;
  ctx.contexts = json::parse(R"({"env": {"OWN": "2"}})");
  ctx.shared = &shared;
  Expr e;
  ASSERT_TRUE(Expr::Parse("format('{0}/{1}/{2}', branch, env.OWN, env.SHARED)", &e, nullptr));
  Result<json> v = Evaluate(e, ctx);
  ASSERT_TRUE(v.ok());
  // `env` exists in contexts, so the shared one is hidden: a context is replaced, not merged.
  EXPECT_EQ(*v, "release/2/");
}

TEST(ExprTest, UnparsedExprIsAnErrorNotACrash) {
  Expr e;
  EXPECT_FALSE(Evaluate(e, EvalContext{}).ok());
  EXPECT_FALSE(Expr::Parse("(", &e, nullptr));
  EXPECT_FALSE(Evaluate(e, EvalContext{}).ok());
}

TEST(ExprTest, TextIsKept) {
  Expr e;
  ASSERT_TRUE(Expr::Parse(" env.X ", &e, nullptr));
  EXPECT_EQ(e.text(), " env.X ");
}

}  // namespace
}  // namespace gauntlet::spec
