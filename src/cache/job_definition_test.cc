#include "cache/job_definition.h"

#include <gtest/gtest.h>

namespace gauntlet::cache {
namespace {

struct Fixture {
  spec::Pipeline pipeline;
  spec::Job job;
  plan::Plan plan;
  plan::PlannedJob planned;
  int branch_reads = 0;
  Fixture() {
    job.name = "build";
    job.commands = {"make"};
    job.inputs = {"src/**"};
    plan.pipeline = &pipeline;
    planned.name = "build";
    planned.spec = &job;
    planned.shell = "bash";
  }
  std::string Def(std::string branch = "main") {
    return JobDefinition(plan, planned, [&, branch] { ++branch_reads; return branch; }, "manual");
  }
};

TEST(JobDefinitionTest, EveryFieldThatChangesTheJobChangesTheDefinition) {
  Fixture f;
  const std::string base = f.Def();
  EXPECT_EQ(f.Def(), base);
  EXPECT_EQ(f.Def("other"), base);  // no template reads the branch
  EXPECT_EQ(f.branch_reads, 0);     // nor asks for it (reading it waits for git)

  auto changed = [&](auto mutate) {
    Fixture g;
    mutate(g);
    return g.Def() != base;
  };
  EXPECT_TRUE(changed([](Fixture& g) { g.job.commands = {"make all"}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.job.commands = {"make", ""}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.planned.shell = "sh"; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.planned.working_directory = "sub"; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.job.env = {{"CC", "clang"}}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.pipeline.env = {{"CC", "clang"}}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.job.secrets = {"TOKEN"}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.job.inputs = {"src/**", "include/**"}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.job.artifacts = {"dist/**"}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.job.cache_key_extra = {"gcc 12.2"}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.planned.matrix = {{"py", {"3.12"}}}; }));
  EXPECT_TRUE(changed([](Fixture& g) { g.planned.name = "build2"; }));
}

TEST(JobDefinitionTest, FieldsCannotBeShiftedIntoEachOther) {
  Fixture a, b;
  a.job.env = {{"A", "1\nvalue=2:x"}};
  b.job.env = {{"A", "1"}, {"value", "x"}};
  EXPECT_NE(a.Def(), b.Def());
}

TEST(JobDefinitionTest, TemplatesMakeTheBranchAndEventCount) {
  Fixture f;
  f.job.commands = {"deploy --to ${{ branch }}"};
  EXPECT_NE(f.Def("main"), f.Def("feature"));
}

// Sets an environment variable of this process for one scope: the engine reads secret
// values from its environment (or a secrets file).
class ScopedSecretValue {
 public:
  ScopedSecretValue(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedSecretValue() { unsetenv(name_); }

 private:
  const char* name_;
};

TEST(JobDefinitionTest, SecretValuesNeverEnterTheDefinition) {
  ScopedSecretValue token("TOKEN", "s3cr3t-value");
  Fixture f;
  f.job.secrets = {"TOKEN"};
  // The job reads the secret everywhere a template or a variable can appear.
  f.job.commands = {"curl -H \"Authorization: ${{ secrets.TOKEN }}\" -u \"$TOKEN\""};
  f.job.env = {{"AUTH", "${{ secrets.TOKEN }}"}, {"PLAIN", "$TOKEN"}};
  f.planned.working_directory = "${{ secrets.TOKEN }}";
  const std::string def = f.Def();
  EXPECT_EQ(def.find("s3cr3t-value"), std::string::npos) << def;
  EXPECT_NE(def.find("secret=5:TOKEN\n"), std::string::npos) << def;      // the name, not the value
  EXPECT_NE(def.find("${{ secrets.TOKEN }}"), std::string::npos) << def;  // as written
  // Rotating the value leaves the definition, and so the cache key, unchanged.
  ScopedSecretValue rotated("TOKEN", "another-value");
  EXPECT_EQ(f.Def(), def);
}

}  // namespace
}  // namespace gauntlet::cache
