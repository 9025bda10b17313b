#include "engine/changes.h"

#include <gtest/gtest.h>

#include "spec/load.h"

namespace gauntlet::engine {
namespace {

bool Uses(const std::string& yaml) {
  spec::LoadResult r = spec::LoadString(yaml, "gauntlet.yml");
  EXPECT_TRUE(r.ok()) << r.problems.Format(yaml, false);
  return UsesChanges(r.pipeline);
}

TEST(UsesChangesTest, FiltersAndExpressionsOnTheChangesContextCount) {
  EXPECT_TRUE(Uses("changes: { ignore: ['docs/**'] }\njobs:\n  a: { run: 'true' }\n"));
  EXPECT_TRUE(Uses("jobs:\n  a: { run: 'true', changes: { paths: ['src/**'] } }\n"));
  EXPECT_TRUE(Uses("jobs:\n  a: { run: 'true', if: \"contains(changes.files, 'x')\" }\n"));
  EXPECT_TRUE(Uses("jobs:\n  a: { run: 'true', if: '${{ changes.available }}' }\n"));
  EXPECT_TRUE(Uses("jobs:\n  a: { run: \"echo ${{ join(changes.files, ' ') }}\" }\n"));
  EXPECT_TRUE(Uses("jobs:\n  a: { run: 'true', env: { F: '${{ changes.base }}' } }\n"));
  EXPECT_TRUE(Uses("env: { F: '${{ toJSON(changes) }}' }\njobs:\n  a: { run: 'true' }\n"));
}

// The word alone, or another context, is not a read of the changed files: the raw text
// search this replaced asked git for each of these.
TEST(UsesChangesTest, TheWordOutsideAnExpressionOrInAnotherContextDoesNot) {
  EXPECT_FALSE(Uses("jobs:\n  a: { run: 'true' }\n"));
  EXPECT_FALSE(Uses("jobs:\n  a: { run: 'echo changes ${{ env.X }}' }\n"));
  EXPECT_FALSE(Uses("jobs:\n  a: { run: 'true', if: \"branch == 'changes'\" }\n"));
  EXPECT_FALSE(Uses("jobs:\n  a: { run: 'true', env: { changes: '${{ matrix.x }}' }, "
                    "matrix: { x: [1] } }\n"));
  EXPECT_FALSE(Uses("jobs:\n  a: { run: \"echo '${{ env.changes }}'\" }\n"));
}

TEST(ChangesContextTest, UnavailableHasOnlyTheFlag) {
  vcs::ChangeSet none;
  EXPECT_EQ(ChangesContext(none), nlohmann::json({{"available", false}}));
  vcs::ChangeSet c;
  c.available = true;
  c.files = {"a.c", "b.c"};
  c.base = "abc";
  c.how = "merge-base with main";
  EXPECT_EQ(ChangesContext(c),
            nlohmann::json({{"available", true},
                            {"files", {"a.c", "b.c"}},
                            {"base", "abc"},
                            {"how", "merge-base with main"}}));
}

}  // namespace
}  // namespace gauntlet::engine
