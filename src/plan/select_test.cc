#include "plan/select.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gauntlet::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// build -> unit(2 matrix jobs) -> report; lint alone; docs needs build.
class SelectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto job = [](std::string name, std::vector<std::string> needs) {
      spec::Job j;
      j.name = std::move(name);
      for (auto& n : needs) j.needs.push_back({n, {}});
      return j;
    };
    spec::Job unit = job("unit", {"build"});
    unit.matrix.axes = {{"py", {{"3.11"}, {"3.12"}}}};
    pipeline_.jobs = {job("build", {}), job("lint", {}), unit, job("report", {"unit"}),
                      job("docs", {"build"})};
    plan_ = Build(pipeline_, &problems_);
    ASSERT_FALSE(problems_.has_errors());
  }

  std::vector<std::string> Names(const std::vector<JobId>& ids) {
    std::vector<std::string> out;
    for (JobId id : ids) out.push_back(plan_.jobs[id].name);
    return out;
  }

  spec::Pipeline pipeline_;
  spec::Problems problems_;
  Plan plan_;
};

TEST_F(SelectTest, OnlyAddsTransitiveNeeds) {
  auto r = SelectOnly(plan_, {"report"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(Names(*r), ElementsAre("build", "unit (py=3.11)", "unit (py=3.12)", "report"));
}

TEST_F(SelectTest, OnlyWithConcreteMatrixNameAndSeveralNames) {
  auto r = SelectOnly(plan_, {"unit (py=3.12)", "lint"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(Names(*r), ElementsAre("build", "lint", "unit (py=3.12)"));
}

TEST_F(SelectTest, FromAddsTransitiveDependentsButNotNeeds) {
  auto r = SelectFrom(plan_, "unit (py=3.11)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(Names(*r), ElementsAre("unit (py=3.11)", "report"));
  auto all = SelectFrom(plan_, "build");
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(Names(*all),  // everything but lint, in plan order
              ElementsAre("build", "unit (py=3.11)", "unit (py=3.12)", "report", "docs"));
}

TEST_F(SelectTest, UnknownNameIsAnErrorWithDidYouMean) {
  auto r = SelectOnly(plan_, {"lint", "reprot"});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("no job named 'reprot'"));
  EXPECT_THAT(r.error().message, HasSubstr("did you mean 'report'?"));
  EXPECT_FALSE(SelectFrom(plan_, "nothing-like-it").ok());
}

}  // namespace
}  // namespace gauntlet::plan
