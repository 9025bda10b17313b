#include "spec/manual_inputs.h"

#include <gtest/gtest.h>

#include "spec/load.h"

namespace gauntlet::spec {
namespace {

using nlohmann::json;

const char* kPipeline = R"(on:
  manual:
    inputs:
      env: {type: choice, options: [staging, production], default: staging}
      dry_run: {type: boolean, default: "true"}
      replicas: {type: number, required: true}
      note: {description: why}
jobs: {a: {run: 'true'}}
)";

std::vector<ManualInput> Declared() {
  LoadResult r = LoadString(kPipeline, "p.yml");
  EXPECT_TRUE(r.ok());
  return r.pipeline.triggers.manual_inputs;
}

std::string Why(const json& given) {
  auto r = CheckInputs(Declared(), given);
  return r.ok() ? "" : r.error().message;
}

TEST(ManualInputsTest, DefaultsFillInAndValuesTakeTheirTypes) {
  auto r = CheckInputs(Declared(), json{{"replicas", "3"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (json{{"env", "staging"}, {"dry_run", true}, {"replicas", 3}, {"note", ""}}));
  r = CheckInputs(Declared(), json{{"replicas", 2.5}, {"dry_run", false}, {"env", "production"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["replicas"], 2.5);
  EXPECT_EQ((*r)["dry_run"], false);
  EXPECT_EQ((*r)["env"], "production");
}

TEST(ManualInputsTest, EachWrongValueIsNamedWithWhatWouldBeValid) {
  EXPECT_EQ(Why(json::object()), "input 'replicas' is required");
  EXPECT_EQ(Why(json{{"replicas", "three"}}), "input 'replicas': 'three' is not a number");
  EXPECT_EQ(Why(json{{"replicas", 1}, {"dry_run", "yes"}}),
            "input 'dry_run': 'yes' is not a boolean: true or false");
  EXPECT_EQ(Why(json{{"replicas", 1}, {"env", "prod"}}),
            "input 'env': 'prod' is not one of staging, production");
  EXPECT_EQ(Why(json{{"replicas", 1}, {"envv", "x"}}),
            "unknown input 'envv'; inputs: env, dry_run, replicas, note");
  EXPECT_EQ(Why(json{{"replicas", json::array()}}),
            "input 'replicas' must be a string, boolean or number");
  EXPECT_EQ(Why(json::array()), "inputs must be an object of names to values");
  EXPECT_EQ(CheckInputs({}, json{{"x", "1"}}).error().message,
            "unknown input 'x'; the pipeline declares no inputs (on.manual.inputs)");
}

TEST(ManualInputsTest, TheFileIsCheckedWhenLoaded) {
  LoadResult bad = LoadString(
      "on:\n  manual:\n    inputs:\n      env: {type: choice}\n"
      "      n: {type: number, default: many}\njobs: {a: {run: 'true'}}\n",
      "p.yml");
  ASSERT_EQ(bad.problems.all().size(), 2u);
  EXPECT_EQ(bad.problems.all()[0].message, "input 'env' is a choice without options");
  EXPECT_EQ(bad.problems.all()[0].loc.line, 4);
  EXPECT_EQ(bad.problems.all()[1].message, "default of input 'n': 'many' is not a number");
  EXPECT_EQ(bad.problems.all()[1].loc.line, 5);
}

}  // namespace
}  // namespace gauntlet::spec
