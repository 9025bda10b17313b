#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateGccTest, GccErrorsWarningsAndIncludeContext) {
  auto r = ParseDiagnostics("gcc", ReadCorpus("gcc/gcc.out"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(
      Summaries(*r),
      ElementsAre("point.h:5:1 warning build : no semicolon at end of struct or union",
                  "main.c:4:7 warning build -Wunused-variable: unused variable ‘unused’",
                  "main.c:10:32 error build : ‘depth’ undeclared (first use in this function)",
                  "main.c:11:13 warning build -Wint-conversion: initialization of ‘char *’ "
                  "from ‘int’ makes pointer from integer without a cast",
                  "main.c:11:9 warning build -Wunused-variable: unused variable ‘s’"));
  const auto& in_header = (*r)[0];
  ASSERT_EQ(in_header.notes.size(), 1u);
  EXPECT_EQ(in_header.notes[0], (Note{"main.c", 1, 0, "In file included from here"}));
  EXPECT_EQ(in_header.tool, "gcc");
  EXPECT_EQ(in_header.excerpt,
            "In file included from main.c:1:\n"
            "point.h:5:1: warning: no semicolon at end of struct or union\n"
            "    5 | };\n"
            "      | ^");
  // The function context and gcc's follow-up note travel with the error.
  const auto& undeclared = (*r)[2];
  ASSERT_EQ(undeclared.notes.size(), 2u);
  EXPECT_EQ(undeclared.notes[0].message, "In function ‘main’");
  EXPECT_EQ(undeclared.notes[1],
            (Note{"main.c", 10, 32,
                  "each undeclared identifier is reported only once for each function it "
                  "appears in"}));
}

TEST(GateGccTest, ClangSameParser) {
  auto r = ParseDiagnostics("clang", ReadCorpus("gcc/clang.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("point.h:4:8 warning build : expected ';' at end of declaration list",
                          "main.c:4:7 warning build -Wunused-variable: unused variable 'unused'",
                          "main.c:10:32 error build : use of undeclared identifier 'depth'",
                          "main.c:11:9 warning build -Wint-conversion: incompatible integer to "
                          "pointer conversion initializing 'char *' with an expression of type "
                          "'int'"));
  EXPECT_EQ((*r)[0].notes, (std::vector<Note>{{"main.c", 1, 0, "In file included from here"}}));
  EXPECT_EQ((*r)[0].tool, "clang");
  EXPECT_EQ((*r)[3].excerpt,
            "main.c:11:9: warning: incompatible integer to pointer conversion initializing "
            "'char *' with an expression of type 'int' [-Wint-conversion]\n"
            "  char *s = 42;\n"
            "        ^   ~~");
}

TEST(GateGccTest, AbsolutePathsBecomeRelativeToRepoRoot) {
  auto r = ParseDiagnostics("gcc", ReadCorpus("gcc/gcc-abs.out"),
                            {std::string(testing::kCaptureRoot) + "/gcc"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].file, "point.h");
  EXPECT_EQ((*r)[0].notes[0].file, "main.c");
  EXPECT_EQ((*r)[2].file, "main.c");
}

TEST(GateGccTest, LinkerUndefinedReference) {
  auto r = ParseDiagnostics("gcc", ReadCorpus("gcc/link.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("link.c:0:0 error build ld: undefined reference to `helper'"));
  EXPECT_EQ((*r)[0].notes[0].message, "in function `main'");
}

TEST(GateGccTest, CandidateNotesAfterAnIncludeChainBelongToTheirError) {
  // g++ prints "In file included from" before a candidate in a system header: the
  // note is the error's, not a diagnostic of its own.
  auto r = ParseDiagnostics("gcc", ReadCorpus("gcc/gxx.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("shapes.cc:10:19 error build : no matching function for call to "
                          "‘std::vector<Shape>::push_back(const char [7])’"));
  const Diagnostic& d = (*r)[0];
  ASSERT_EQ(d.notes.size(), 5u);
  EXPECT_EQ(d.notes[0].message, "In function ‘int main()’");
  EXPECT_EQ(d.notes[1].file, "/usr/include/c++/12/bits/stl_vector.h");
  EXPECT_EQ(d.notes[1].line, 1276);
  EXPECT_EQ(d.notes[1].message.substr(0, 10), "candidate:");
  EXPECT_NE(d.excerpt.find("In file included from /usr/include/c++/12/vector:64,"),
            std::string::npos);
}

TEST(GateGccTest, AnErrorInsideTheStandardLibraryPointsAtTheCodeThatInstantiatedIt) {
  auto r = ParseDiagnostics("gcc", ReadCorpus("gcc/gxx-template.out"),
                            {.repo_root = testing::kCaptureRoot});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  for (const Diagnostic& d : *r) {
    EXPECT_EQ(FormatLocation(d), "sort.cc:9:12") << "never a file outside the repository";
    EXPECT_EQ(d.severity, Severity::kError);
    EXPECT_EQ(d.message, "no match for ‘operator<’ (operand types are ‘Point’ and ‘Point’)");
  }
  const Diagnostic& first = (*r)[0];
  bool outside_note = false;
  for (const Note& n : first.notes) {
    // (g++'s own notes name that place too: "'Point' is not derived from ...")
    if (n.file == "/usr/include/c++/12/bits/predefined_ops.h" && n.line == 45 && n.col == 23 &&
        n.message == "reported here, outside the repository") {
      outside_note = true;
    }
  }
  EXPECT_TRUE(outside_note) << "the original location is kept as a note";
}

}  // namespace
}  // namespace gauntlet::gate
