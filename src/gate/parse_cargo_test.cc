#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateCargoTest, HumanForm) {
  auto r = ParseDiagnostics("cargo", ReadCorpus("cargo/broken/cargo.out"));
  ASSERT_TRUE(r.ok());
  // "error: could not compile `broken`" is a summary, not a diagnostic.
  EXPECT_THAT(Summaries(*r), ElementsAre("src/main.rs:7:29 error build E0308: mismatched types"));
  const Diagnostic& d = (*r)[0];
  EXPECT_EQ(d.tool, "rustc");
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0], (Note{"src/main.rs", 1, 4, "note: function defined here"}));
  EXPECT_EQ(d.excerpt.substr(0, d.excerpt.find('\n')), "error[E0308]: mismatched types");
  EXPECT_NE(d.excerpt.find("expected `i32`, found `&str`"), std::string::npos);
  EXPECT_EQ(d.excerpt.find("For more information"), std::string::npos);
}

TEST(GateCargoTest, JsonForm) {
  auto r = ParseDiagnostics("cargo", ReadCorpus("cargo/broken/cargo-json.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre("src/main.rs:7:29 error build E0308: mismatched types"));
  const Diagnostic& d = (*r)[0];
  EXPECT_EQ(d.end_line, 7);
  EXPECT_EQ(d.end_col, 32);
  EXPECT_EQ(d.notes, (std::vector<Note>{{"src/main.rs", 1, 16, "note: function defined here"}}));
  EXPECT_EQ(d.excerpt.substr(0, d.excerpt.find('\n')), "error[E0308]: mismatched types");
}

TEST(GateCargoTest, ClippyLintsInBothForms) {
  const std::vector<std::string> expected = {
      "src/main.rs:3:8 warning lint clippy::len_zero: length comparison to zero",
      "src/main.rs:7:13 warning lint clippy::clone_on_copy: using `clone` on type `i32` which "
      "implements the `Copy` trait",
      "src/main.rs:2:13 warning lint clippy::useless_vec: useless use of `vec!`"};
  auto human = ParseDiagnostics("clippy", ReadCorpus("cargo/lint/clippy.out"));
  ASSERT_TRUE(human.ok());
  EXPECT_EQ(Summaries(*human), expected);
  EXPECT_EQ((*human)[0].tool, "clippy");
  auto json = ParseDiagnostics("cargo", ReadCorpus("cargo/lint/clippy-json.out"));
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(Summaries(*json), expected);
}

TEST(GateCargoTest, ClippyWithWarningsDeniedNamesEachLint) {
  // `cargo clippy -- -D warnings`: every lint is an error; the lint's name is only in
  // "-D clippy::len-zero" (the first time), the #[allow(...)] hint and the help URL.
  auto r = ParseDiagnostics("clippy", ReadCorpus("cargo/lint/clippy-deny.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("src/main.rs:3:8 error lint clippy::len_zero: length comparison to zero",
                          "src/main.rs:7:13 error lint clippy::clone_on_copy: using `clone` on "
                          "type `i32` which implements the `Copy` trait",
                          "src/main.rs:2:13 error lint clippy::useless_vec: useless use of `vec!`"));
  EXPECT_EQ((*r)[0].tool, "clippy");
}

TEST(GateCargoTest, CargoTestFailuresAreTestsAtTheirPanic) {
  // Was: one `build` diagnostic "test failed, to rerun pass `--lib`", no location.
  auto r = ParseDiagnostics("cargo", ReadCorpus("cargo/test/test.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("src/lib.rs:15:9 error test tests::halves: assertion `left == right` "
                          "failed\n  left: 2\n right: 4",
                          "src/lib.rs:26:18 error test tests::panics_plainly: index out of "
                          "bounds: the len is 0 but the index is 3"));
  EXPECT_EQ((*r)[0].tool, "cargo test");
  EXPECT_EQ((*r)[0].excerpt,
            "thread 'tests::halves' (7691) panicked at src/lib.rs:15:9:\n"
            "assertion `left == right` failed\n  left: 2\n right: 4");
  // Every target (--no-fail-fast, -q): the integration test too; no summary survives.
  r = ParseDiagnostics("cargo", ReadCorpus("cargo/test/test-all.out"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(testing::Summary((*r)[2]),
            "tests/api.rs:3:5 error test adds_large: 1 + 1 should be 3 here");
}

TEST(GateCargoTest, DocTestsShouldPanicAndErrResultsAreTestFailures) {
  // Was: a `build` diagnostic "doctest failed, to rerun pass `--doc`", the doc-test's panic
  // at a line of rustdoc's program (src/lib.rs:5:1, category other), and the other two lost.
  auto r = ParseDiagnostics("cargo", ReadCorpus("cargo/doctest/test.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre(":0:0 error test tests::closes: Error: \"ledger closed\"",
                          "src/lib.rs:14:8 error test tests::overdraft_panics: test did not "
                          "panic as expected",
                          "src/lib.rs:3:0 error test src/lib.rs - deposit (line 3): assertion "
                          "`left == right` failed\n  left: 5\n right: 6"));
  EXPECT_EQ((*r)[2].tool, "cargo test");
  // Outside a failed test's section the same lines are a program's, not a test's.
  r = ParseDiagnostics("cargo", "Error: \"no config\"\nnote: test did not panic as expected\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre());
}

TEST(GateCargoTest, PanicForms) {
  // Before Rust 1.73 the message was on the panic line itself.
  auto r = ParseDiagnostics(
      "cargo", "thread 'it::works' panicked at 'boom', tests/it.rs:4:5\nnote: run with ...\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre("tests/it.rs:4:5 error test it::works: boom"));
  // A program's own panic (`cargo run`) is not a test.
  r = ParseDiagnostics("cargo", "thread 'main' panicked at src/main.rs:2:5:\nno input\n\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r), ElementsAre("src/main.rs:2:5 error other panic: no input"));
}

}  // namespace
}  // namespace gauntlet::gate
