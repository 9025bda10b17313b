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

}  // namespace
}  // namespace gauntlet::gate
