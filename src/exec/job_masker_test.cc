#include "exec/job_masker.h"

#include <gtest/gtest.h>

namespace gauntlet::exec {
namespace {

// Feeds `chunks` one by one, then flushes.
std::string Through(JobMasker& m, std::initializer_list<std::string_view> chunks) {
  std::string out;
  for (std::string_view c : chunks) m.Write(c, &out);
  m.Flush(&out);
  return out;
}

TEST(JobMaskerTest, AnAddedValueIsMaskedFromItsLineOn) {
  JobMasker m(Masker(), true);
  EXPECT_FALSE(m.passthrough());
  EXPECT_EQ(Through(m, {"before hunter2\n::add-mask::hunter2\nafter hunter2 x\n"}),
            "before hunter2\n::add-mask::***\nafter *** x\n");
  // Kept for the next attempt.
  EXPECT_EQ(Through(m, {"again hunter2"}), "again ***");
}

TEST(JobMaskerTest, ACommandSplitAcrossReadsLeaksNoByte) {
  JobMasker m(Masker(), true);
  std::string out;
  for (std::string_view c : {"x\n::add", "-mask::s3cr", "et-v", "alue\r\nthe s3cret-value\n"}) {
    m.Write(c, &out);
    EXPECT_EQ(out.find("s3cr"), std::string::npos) << out;
  }
  m.Flush(&out);
  EXPECT_EQ(out, "x\n::add-mask::***\r\nthe ***\n");
}

TEST(JobMaskerTest, AGroupIsATitleLineAndItsEndIsLeftOut) {
  JobMasker m(Masker(), true);
  EXPECT_EQ(Through(m, {"::gro", "up::Build %25 all\ninside\n::endgroup::\r\nafter\n::group::last"}),
            "\u25b8 Build % all\ninside\nafter\n\u25b8 last");
}

TEST(JobMaskerTest, NoCommandIsActedOnUntilTheStopToken) {
  JobMasker m(Masker(), true);
  EXPECT_EQ(Through(m, {"::stop-commands::tok\n::add-mask::abc\nabc\n::group::g\n::endgroup::\n",
                        "::to", "k::\n::add-mask::abc\nabc\n"}),
            "::stop-commands::tok\n::add-mask::abc\nabc\n::group::g\n::endgroup::\n"
            "::tok::\n::add-mask::***\n***\n");
  // A new attempt is a new process: commands are on again.
  EXPECT_EQ(Through(m, {"::stop-commands::t2\n"}), "::stop-commands::t2\n");
  EXPECT_EQ(Through(m, {"::add-mask::def\ndef\n"}), "::add-mask::***\n***\n");
}

TEST(JobMaskerTest, OnlyACommandAtTheStartOfALineCounts) {
  JobMasker m(Masker(), true);
  EXPECT_EQ(Through(m, {"say ::add-mask::abc\nabc\n::add-maskX::def\ndef\n::add-mask::\n"}),
            "say ::add-mask::abc\nabc\n::add-maskX::def\ndef\n::add-mask::\n");
}

TEST(JobMaskerTest, LinesThatAreNotCommandsAreNotHeldBack) {
  JobMasker m(Masker(), true);
  std::string out;
  m.Write("progress 10%", &out);
  EXPECT_EQ(out, "progress 10%");
  m.Write("\n::add", &out);  // may be a command: held
  EXPECT_EQ(out, "progress 10%\n");
  m.Write("ed\n", &out);
  EXPECT_EQ(out, "progress 10%\n::added\n");
}

TEST(JobMaskerTest, TheValueIsUnescapedAndTrimmedAsGitHubDoes) {
  EXPECT_EQ(UnescapeCommandData("a%25b%0Ac%0Dd%zz"), "a%b\nc\rd%zz");
  JobMasker m(Masker(), true);
  EXPECT_EQ(Through(m, {"::add-mask::  two%0Alines \nlines two\n"}),
            "::add-mask::  *** \n*** two\n");  // its percent-encoded form, its lines
}

TEST(JobMaskerTest, WithoutCommandsTheRunsSecretsAreMaskedAndLinesPassAsTheyAre) {
  JobMasker plain(Masker(), false);
  EXPECT_TRUE(plain.passthrough());
  JobMasker m(Masker({"tok3n"}), false);
  EXPECT_EQ(Through(m, {"::add-mask::other\nother tok3n\n"}), "::add-mask::other\nother ***\n");
}

}  // namespace
}  // namespace gauntlet::exec
