#include "spec/shell_template.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

Expr Parsed(std::string_view text) {
  Expr e;
  ExprError err;
  EXPECT_TRUE(Expr::Parse(text, &e, &err)) << err.message;
  return e;
}

Template ParsedTemplate(std::string_view text) {
  Template t;
  ExprError err;
  EXPECT_TRUE(Template::Parse(text, &t, &err)) << err.message;
  return t;
}

TEST(ValueOriginsTest, OnlyLiteralsMatrixAndFileEnvAreFromTheFile) {
  ValueOrigins o;
  o.SetEnv("PLAIN", true);
  o.SetEnv("FROM_BRANCH", false);
  for (const char* e : {"'text'", "42", "matrix.os", "Matrix.OS", "env.PLAIN", "env.plain",
                        "env.UNSET", "format('{0}-{1}', matrix.os, env.PLAIN)", "success()",
                        "fromJSON('[1]')", "matrix[env.PLAIN]", "env['PLAIN']"}) {
    EXPECT_TRUE(o.FromFile(Parsed(e))) << e;
  }
  for (const char* e :
       {"branch", "event", "needs.a.outputs.v", "needs.a.result", "secrets.T", "changes.files",
        "env.FROM_BRANCH", "env.from_branch", "env[matrix.k]", "env.*", "format('{0}', branch)",
        "contains(branch, 'x') && 'y'", "matrix[branch]", "fromJSON(needs.a.outputs.m).x"}) {
    EXPECT_FALSE(o.FromFile(Parsed(e))) << e;
  }
  o.SetEnv("PLAIN", false);  // a job's env overrides the pipeline's
  EXPECT_FALSE(o.FromFile(Parsed("env.PLAIN")));
  // Before a run, a key the file does not set may be in gauntlet's own environment.
  ValueOrigins planning(/*unset_env_from_file=*/false);
  planning.SetEnv("PLAIN", true);
  EXPECT_TRUE(planning.FromFile(Parsed("env.PLAIN")));
  EXPECT_FALSE(planning.FromFile(Parsed("env.HOME")));
}

EvalContext Contexts() {
  EvalContext ctx;
  ctx.contexts = nlohmann::json::parse(R"json({
    "matrix": {"os": "linux"},
    "needs": {"a": {"outputs": {"v": "$(touch p)"}}},
    "branch": "main"
  })json");
  return ctx;
}

struct ScriptCase {
  const char* text;
  const char* script;
  size_t vars;
};
void PrintTo(const ScriptCase& c, std::ostream* os) { *os << c.text; }

class AppendScriptTest : public ::testing::TestWithParam<ScriptCase> {};

TEST_P(AppendScriptTest, Renders) {
  std::string script;
  ExprVars vars;
  Status s = AppendScript(ParsedTemplate(GetParam().text), Contexts(), ValueOrigins(), "bash",
                          &script, &vars);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(script, GetParam().script);
  ASSERT_EQ(vars.size(), GetParam().vars);
  for (size_t i = 0; i < vars.size(); ++i)
    EXPECT_EQ(vars[i].first, "GAUNTLET_EXPR_" + std::to_string(i + 1));
}

INSTANTIATE_TEST_SUITE_P(
    Scripts, AppendScriptTest,
    ::testing::Values(
        ScriptCase{"make ${{ matrix.os }}", "make linux", 0},
        ScriptCase{"echo ${{ needs.a.outputs.v }}", "echo \"${GAUNTLET_EXPR_1}\"", 1},
        ScriptCase{"echo \"v=${{ needs.a.outputs.v }}\"", "echo \"v=${GAUNTLET_EXPR_1}\"", 1},
        ScriptCase{"echo 'v=${{ branch }}!'", "echo 'v='\"${GAUNTLET_EXPR_1}\"'!'", 1},
        ScriptCase{"echo ${{ matrix.os }}-${{ branch }} ${{ branch }}",
                   "echo linux-\"${GAUNTLET_EXPR_1}\" \"${GAUNTLET_EXPR_2}\"", 2},
        ScriptCase{"cat <<EOF\n${{ branch }}\nEOF", "cat <<EOF\n${GAUNTLET_EXPR_1}\nEOF", 1}));

TEST(AppendScriptTest, ValuesAreRenderedIntoVariablesInOrder) {
  std::string script = "set -e\n";
  ExprVars vars;
  ASSERT_TRUE(AppendScript(ParsedTemplate("x ${{ branch }} ${{ needs.a.outputs.v }}"), Contexts(),
                           ValueOrigins(), "sh", &script, &vars)
                  .ok());
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0].second, "main");
  EXPECT_EQ(vars[1].second, "$(touch p)");
  EXPECT_EQ(script, "set -e\nx \"${GAUNTLET_EXPR_1}\" \"${GAUNTLET_EXPR_2}\"");
}

TEST(AppendScriptTest, RefusesPlacesNoReferenceCanStand) {
  for (const char* text : {"echo $(( ${{ branch }} + 1 ))", "cat <<'EOF'\n${{ branch }}\nEOF",
                           "cat <<${{ branch }}\nx"}) {
    std::string script;
    ExprVars vars;
    Status s =
        AppendScript(ParsedTemplate(text), Contexts(), ValueOrigins(), "bash", &script, &vars);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_NE(s.error().message.find("${{ branch }}"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("outside the pipeline file"), std::string::npos);
  }
  // A value from the file is the author's own text: pasted even there.
  std::string script;
  ExprVars vars;
  EXPECT_TRUE(AppendScript(ParsedTemplate("echo $(( ${{ matrix.os }} ))"), Contexts(),
                           ValueOrigins(), "bash", &script, &vars)
                  .ok());
  EXPECT_EQ(script, "echo $(( linux ))");
}

TEST(AppendScriptTest, OutsideValuesNeedAPosixShell) {
  std::string script;
  ExprVars vars;
  Status s = AppendScript(ParsedTemplate("print('${{ branch }}')"), Contexts(), ValueOrigins(),
                          "python3", &script, &vars);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("shell 'python3'"), std::string::npos) << s.error().message;
  script.clear();
  EXPECT_TRUE(AppendScript(ParsedTemplate("print('${{ matrix.os }}')"), Contexts(), ValueOrigins(),
                           "python3", &script, &vars)
                  .ok());
  EXPECT_EQ(script, "print('linux')");
}

}  // namespace
}  // namespace gauntlet::spec
