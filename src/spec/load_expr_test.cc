// Expression checks in pipeline files. These expect the real `${{ }}` parser
// (spec/expr.cc): against the placeholder, which accepts everything and reports no
// references, they fail until the expression branch is merged.
#include <gtest/gtest.h>

#include "spec/load.h"

namespace gauntlet::spec {
namespace {

LoadResult LoadExpr(const std::string& text) { return LoadString(text, "gauntlet.yml"); }

// The only problem, as "line:col: message".
std::string Only(const LoadResult& r) {
  if (r.problems.all().size() != 1)
    return "expected one problem, got:\n" + r.problems.Format(r.source);
  const Problem& p = r.problems.all()[0];
  return std::to_string(p.loc.line) + ":" + std::to_string(p.loc.col) + ": " + p.message;
}

TEST(LoadExprTest, SyntaxErrorIsPlacedInsideTheExpression) {
  // Plain scalar, `if:` without the wrapper: '@' is the 17th character of the value.
  LoadResult r = LoadExpr("jobs:\n  a:\n    run: x\n    if: branch == 'main' @\n");
  ASSERT_EQ(r.problems.all().size(), 1u) << r.problems.Format(r.source);
  EXPECT_EQ(r.problems.all()[0].loc.line, 4);
  EXPECT_EQ(r.problems.all()[0].loc.col, 26);

  // Quoted, with the wrapper.
  r = LoadExpr("jobs:\n  a:\n    run: x\n    if: \"${{ branch == 'main' @ }}\"\n");
  ASSERT_EQ(r.problems.all().size(), 1u) << r.problems.Format(r.source);
  EXPECT_EQ(r.problems.all()[0].loc.col, 31);

  // A block scalar: the error is on the block's second line.
  r = LoadExpr("jobs:\n  a:\n    run: |\n      echo one\n      echo ${{ @ }}\n");
  ASSERT_EQ(r.problems.all().size(), 1u) << r.problems.Format(r.source);
  EXPECT_EQ(r.problems.all()[0].loc.line, 5);
  EXPECT_EQ(r.problems.all()[0].loc.col, 16);
}

TEST(LoadExprTest, NeedsMustNameANeededJob) {
  LoadResult r = LoadExpr(R"(jobs:
  build: {run: make}
  deploy:
    run: ./deploy.sh
    if: needs.build.result == 'success'
)");
  EXPECT_EQ(Only(r), "5:9: job 'deploy' reads needs.build but does not need 'build'");
  EXPECT_TRUE(LoadExpr(R"(jobs:
  build: {run: make}
  deploy:
    needs: build
    run: ./deploy.sh ${{ needs.build.outputs.version }}
)")
                  .problems.all()
                  .empty());
}

TEST(LoadExprTest, StageJobsMayReadJobsOfEarlierStages) {
  LoadResult r = LoadExpr(R"(stages:
  - name: build
    jobs: [{name: compile, run: make}]
  - name: test
    jobs:
      - name: unit
        run: echo ${{ needs.compile.result }}
)");
  EXPECT_TRUE(r.problems.all().empty()) << r.problems.Format(r.source);
}

TEST(LoadExprTest, MatrixKeysMustExist) {
  LoadResult r = LoadExpr(R"(jobs:
  unit:
    run: pytest
    matrix: {python: ["3.12"], include: [{os: linux}]}
    env: {PY: "${{ matrix.pyton }}", OS: "${{ matrix.os }}"}
)");
  EXPECT_EQ(Only(r), "5:20: job 'unit' reads matrix.pyton but its matrix has no 'pyton'");
  ASSERT_EQ(r.problems.all().size(), 1u);
  EXPECT_EQ(r.problems.all()[0].hint, "did you mean 'python'?");
}

TEST(LoadExprTest, SecretsMustBeDeclared) {
  EXPECT_EQ(Only(LoadExpr("jobs:\n  a:\n    run: echo ${{ secrets.TOKEN }}\n")),
            "3:19: secret 'TOKEN' is not declared");
  EXPECT_TRUE(LoadExpr("secrets: [TOKEN]\njobs:\n  a:\n    run: echo ${{ secrets.TOKEN }}\n")
                  .problems.all()
                  .empty());
  EXPECT_TRUE(LoadExpr("jobs:\n  a:\n    secrets: [TOKEN]\n    run: echo ${{ secrets.TOKEN }}\n")
                  .problems.all()
                  .empty());
}

TEST(LoadExprTest, UnknownContextsAndFunctions) {
  LoadResult r = LoadExpr("jobs:\n  a:\n    run: echo ${{ github.sha }}\n");
  EXPECT_EQ(Only(r), "3:19: unknown context 'github'");
  r = LoadExpr("jobs:\n  a:\n    run: x\n    if: contain(branch, 'rel')\n");
  EXPECT_EQ(Only(r), "4:9: unknown function 'contain'");
  ASSERT_EQ(r.problems.all().size(), 1u);
  EXPECT_EQ(r.problems.all()[0].hint.substr(0, 25), "did you mean 'contains'? ");
  EXPECT_TRUE(LoadExpr("jobs:\n  a:\n    run: x\n    if: ${{ always() && startsWith(branch, 'r') }}\n")
                  .problems.all()
                  .empty());
}

TEST(LoadExprTest, JobContextsAreNotReadableAtPipelineLevel) {
  EXPECT_EQ(Only(LoadExpr("env: {A: \"${{ matrix.x }}\"}\njobs: {a: {run: x}}\n")),
            "1:15: 'matrix' can only be read inside a job");
}

}  // namespace
}  // namespace gauntlet::spec
