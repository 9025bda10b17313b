#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gate/corpus_test_util.h"
#include "gate/parsers.h"

namespace gauntlet::gate {
namespace {

using ::testing::ElementsAre;
using testing::ReadCorpus;
using testing::Summaries;

TEST(GateMypyTest, ErrorsWithCodes) {
  auto r = ParseDiagnostics("mypy", ReadCorpus("python/mypy.out"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Summaries(*r),
              ElementsAre("shapes.py:9:12 error type return-value: Incompatible return value type "
                          "(got \"int\", expected \"str\")",
                          "shapes.py:12:6 error type arg-type: Argument 1 to \"area\" has "
                          "incompatible type \"str\"; expected \"int\""));
}

TEST(GateMypyTest, NotesAttachToTheErrorBefore) {
  auto r = ParseDiagnostics("mypy",
                            "a.py:3: error: Name \"foo\" is not defined  [name-defined]\n"
                            "a.py:3: note: Did you mean \"fooo\"?\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].notes, (std::vector<Note>{{"a.py", 3, 0, "Did you mean \"fooo\"?"}}));
}

}  // namespace
}  // namespace gauntlet::gate
