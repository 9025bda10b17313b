#include "spec/expr_functions.h"

#include <gtest/gtest.h>

#include <string>

namespace gauntlet::spec {
namespace {

using json = nlohmann::json;

EvalContext FunctionContext(EvalContext::Status status = EvalContext::Status::kSuccess) {
  EvalContext ctx;
  ctx.status = status;
  ctx.contexts = json::parse(R"({
    "env": {"NAME": "World", "LIST": "[1, \"two\", {\"x\": true}]", "BAD": "{oops"},
    "matrix": {"flags": ["a", "B", 3], "os": "Linux", "n": 2.5, "o": {"k": "v"}},
    "deep": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
  })");
  return ctx;
}

Result<json> Eval(const char* text, const EvalContext& ctx = FunctionContext()) {
  Expr e;
  ExprError err;
  if (!Expr::Parse(text, &e, &err)) return Error{"parse: " + err.message};
  return Evaluate(e, ctx);
}

struct FnCase {
  const char* expr;
  const char* want;  // JSON text
};
void PrintTo(const FnCase& c, std::ostream* os) { *os << c.expr; }

class ExprFunctionTest : public testing::TestWithParam<FnCase> {};

TEST_P(ExprFunctionTest, Returns) {
  Result<json> v = Eval(GetParam().expr);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->dump(), json::parse(GetParam().want).dump());
}

INSTANTIATE_TEST_SUITE_P(
    Contains, ExprFunctionTest,
    testing::Values(FnCase{"contains('Hello World', 'WORLD')", "true"},
                    FnCase{"contains('Hello', 'xyz')", "false"},
                    FnCase{"contains('abc', '')", "true"},
                    FnCase{"contains(123, 2)", "true"},             // primitives compare as text
                    FnCase{"contains(matrix.flags, 'b')", "true"},  // element equality
                    FnCase{"contains(matrix.flags, '3')", "true"},  // loose equality
                    FnCase{"contains(matrix.flags, 'c')", "false"},
                    FnCase{"contains(matrix.o, 'k')", "false"},  // objects contain nothing
                    FnCase{"contains(null, '')", "true"}));

INSTANTIATE_TEST_SUITE_P(Affixes, ExprFunctionTest,
                         testing::Values(FnCase{"startsWith('Hello', 'he')", "true"},
                                         FnCase{"startsWith('Hello', 'lo')", "false"},
                                         FnCase{"endsWith('Hello', 'LO')", "true"},
                                         FnCase{"endsWith('lo', 'Hello')", "false"},
                                         FnCase{"startsWith(matrix.os, '')", "true"},
                                         FnCase{"startsWith(matrix.flags, 'a')", "false"},
                                         FnCase{"endsWith(1.5, 5)", "true"}));

INSTANTIATE_TEST_SUITE_P(
    Format, ExprFunctionTest,
    testing::Values(FnCase{"format('Hello {0}', env.NAME)", R"("Hello World")"},
                    FnCase{"format('{0} and {1}, {0}', 'a', 'b')", R"("a and b, a")"},
                    FnCase{"format('{{0}} is {0}', 1)", R"("{0} is 1")"},
                    FnCase{"format('}}{{')", R"("}{")"},
                    FnCase{"format('{0}|{1}|{2}|{3}', null, true, 2.5, matrix.flags)",
                           R"("|true|2.5|[\"a\",\"B\",3]")"},
                    FnCase{"format('no placeholders')", R"("no placeholders")"},
                    FnCase{"format('{1}', 'unused', 'used')", R"("used")"}));

INSTANTIATE_TEST_SUITE_P(JoinAndJson, ExprFunctionTest,
                         testing::Values(FnCase{"join(matrix.flags)", R"("a,B,3")"},
                                         FnCase{"join(matrix.flags, ' | ')", R"("a | B | 3")"},
                                         FnCase{"join('single', ';')", R"("single")"},
                                         FnCase{"join(fromJSON('[]'))", R"("")"},
                                         FnCase{"toJSON(matrix.o)", R"("{\n  \"k\": \"v\"\n}")"},
                                         FnCase{"toJSON('x')", R"("\"x\"")"},
                                         FnCase{"toJSON(null)", R"("null")"},
                                         FnCase{"fromJSON(env.LIST)[1]", R"("two")"},
                                         FnCase{"fromJSON(env.LIST)[2].x", "true"},
                                         FnCase{"fromJSON('42') == 42", "true"},
                                         FnCase{"fromJSON(' \"s\" ')", R"("s")"},
                                         FnCase{"fromJSON(toJSON(matrix.o)).k", R"("v")"}));

TEST(ExprFunctionTest, StatusFunctionsReadTheStatus) {
  using S = EvalContext::Status;
  struct Row {
    S status;
    bool success, failure, cancelled;
  };
  for (const Row& row : {Row{S::kSuccess, true, false, false}, Row{S::kFailure, false, true, false},
                         Row{S::kCancelled, false, false, true}}) {
    EvalContext ctx = FunctionContext(row.status);
    EXPECT_EQ(*Eval("success()", ctx), row.success);
    EXPECT_EQ(*Eval("failure()", ctx), row.failure);
    EXPECT_EQ(*Eval("cancelled()", ctx), row.cancelled);
    EXPECT_EQ(*Eval("always()", ctx), true);
    EXPECT_EQ(*Eval("Success()", ctx), row.success);
  }
}

struct FnErrorCase {
  const char* expr;
  const char* message;  // substring
};
void PrintTo(const FnErrorCase& c, std::ostream* os) { *os << c.expr; }

class ExprFunctionErrorTest : public testing::TestWithParam<FnErrorCase> {};

TEST_P(ExprFunctionErrorTest, FailsWithMessage) {
  Result<json> v = Eval(GetParam().expr);
  ASSERT_FALSE(v.ok()) << v->dump();
  EXPECT_NE(v.error().message.find(GetParam().message), std::string::npos) << v.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ExprFunctionErrorTest,
    testing::Values(
        FnErrorCase{"format('{0} {1}', 'a')", "'{1}' refers to argument 1 but only 1 was given"},
        FnErrorCase{"format('{2}', 'a', 'b')", "only 2 were given"},
        FnErrorCase{"format('{0', 'a')", "bad placeholder at position 0"},
        FnErrorCase{"format('{x}', 'a')", "bad placeholder"},
        FnErrorCase{"format('{}', 'a')", "bad placeholder"},
        FnErrorCase{"format('a } b')", "unmatched '}' at position 2"},
        FnErrorCase{"format('{99999999999999999999}', 1)", "bad placeholder"},
        FnErrorCase{"format('{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}', "
                    "format('{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}', "
                    "format('{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}', "
                    "format('{0}{0}{0}{0}{0}{0}{0}{0}', 'xxxxxxxxxx')))))))",
                    "format(): result longer than 1048576 bytes"},
        FnErrorCase{"fromJSON(env.BAD)", "'{oops' is not valid JSON"},
        FnErrorCase{"fromJSON('')", "not valid JSON"},
        FnErrorCase{"fromJSON(deep)", "nested deeper than 64"},
        // Errors propagate out of operators and arguments.
        FnErrorCase{"!fromJSON('x')", "not valid JSON"},
        FnErrorCase{"true && join(fromJSON('['))", "not valid JSON"},
        FnErrorCase{"matrix[fromJSON('x')]", "not valid JSON"}));

EvalContext ChangesContext(const char* changes) {
  EvalContext ctx;
  ctx.contexts = json::parse(std::string(R"({"changes": )") + changes + "}");
  return ctx;
}

TEST(ChangesAnyTest, MatchesChangedFilesWithGlobs) {
  EvalContext ctx = ChangesContext(R"({"available": true, "files": ["docs/a.md", "src/x/y.cc"]})");
  auto eval = [&](const char* text) {
    Result<json> v = Eval(text, ctx);
    EXPECT_TRUE(v.ok()) << text << ": " << (v.ok() ? "" : v.error().message);
    return v.ok() ? v->dump() : "error";
  };
  EXPECT_EQ(eval("changes.any('src/**')"), "true");
  EXPECT_EQ(eval("changes.any('**/*.md')"), "true");
  EXPECT_EQ(eval("changes.any('*.md')"), "false");  // anchored at the root
  EXPECT_EQ(eval("changes.any('tests/**')"), "false");
  EXPECT_EQ(eval("Changes.ANY('src/**') && !changes.any('lib/**')"), "true");
  EXPECT_EQ(eval("changes.files[1]"), R"("src/x/y.cc")");
  EXPECT_EQ(eval("contains(changes.files, 'docs/a.md')"), "true");
  EXPECT_EQ(eval("changes.any(format('{0}/**', 'docs'))"), "true");
}

TEST(ChangesAnyTest, UnknownChangesCountAsChanged) {
  // Not a repository: a condition must not wrongly skip work.
  EXPECT_EQ(Eval("changes.any('src/**')", ChangesContext(R"({"available": false})"))->dump(),
            "true");
  EXPECT_EQ(Eval("changes.any('src/**')", EvalContext{})->dump(), "true");
  EXPECT_EQ(Eval("changes.any('src/**')", ChangesContext(R"({"files": []})"))->dump(), "false");
}

TEST(ChangesAnyTest, ParseErrorsNameTheProblem) {
  auto error_of = [](const char* text) {
    Expr e;
    ExprError err;
    EXPECT_FALSE(Expr::Parse(text, &e, &err)) << text;
    return err.message;
  };
  EXPECT_NE(error_of("changes.any()").find("changes.any() takes exactly 1 argument, got 0"),
            std::string::npos);
  EXPECT_NE(error_of("changes.any('a', 'b')").find("got 2"), std::string::npos);
  EXPECT_NE(error_of("env.any('a')").find("unexpected '('"), std::string::npos);
  EXPECT_NE(error_of("changes.all('a')").find("'changes.all' is not a function"),
            std::string::npos);
  // A bad glob is an evaluation error, with the pattern's problem.
  Result<json> v = Eval("changes.any('src/[')", ChangesContext(R"({"files": ["a"]})"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("changes.any()"), std::string::npos);
}

TEST(ChangesAnyTest, CallsAndReferencesSeeTheMethod) {
  Expr e;
  ExprError err;
  ASSERT_TRUE(Expr::Parse("success() && changes.any('src/**')", &e, &err)) << err.message;
  auto calls = e.Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].first, "changes.any");
  EXPECT_EQ(calls[1].second, 13u);
  auto refs = e.References();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].path, std::vector<std::string>{"changes"});
}

}  // namespace
}  // namespace gauntlet::spec
