#include "store/cache_hooks.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

#include "cache/test_dir.h"
#include "exec/scheduler_test_util.h"
#include "store/artifact_manifest.h"
#include "store/sqlite_store.h"

namespace gauntlet::store {
namespace {

using exec::JobResult;
using exec::JobState;

uint64_t Inode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

struct Fixture {
  cache::TestDir dir;
  exec::testing::PlanBuilder b;
  std::unique_ptr<SqliteStore> store;
  Fixture() {
    auto s = SqliteStore::Open(dir / ".gauntlet/state.db");
    EXPECT_TRUE(s.ok());
    if (s.ok()) store = std::move(*s);
    dir.Write("src/a.c", "a");
  }
  CacheHooks Hooks(bool lookup = true) {
    CacheHooksOptions o;
    o.workspace = dir.path();
    o.artifacts_dir = dir / ".gauntlet/artifacts";
    o.lookup = lookup;
    return CacheHooks(b.plan, store.get(), o);
  }
  // Records what the RunRecorder would after `job` succeeded as `r` in run `run`.
  void Record(const plan::PlannedJob& job, const JobResult& r, RunId run) {
    CacheEntry e;
    e.key = r.cache_key;
    e.job = job.name;
    e.run_id = run;
    e.outputs = Outputs(r.outputs.begin(), r.outputs.end());
    e.artifacts = r.artifacts.empty() ? "[]" : r.artifacts;
    ASSERT_TRUE(store->PutCacheEntry(e).ok());
  }
};

JobResult Success(exec::Outputs outputs = {}) {
  JobResult r;
  r.state = JobState::kSuccess;
  r.outputs = std::move(outputs);
  return r;
}

TEST(CacheHooksTest, KeyFollowsInputsAndNeedsOutputsAndArtifacts) {
  Fixture f;
  auto need = f.b.Add("need", "x");
  auto job = f.b.Add("job", "y", {need}, [](spec::Job& j) { j.inputs = {"src/**"}; });
  CacheHooks hooks = f.Hooks();
  std::vector<JobResult> results(2);
  results[need] = Success({{"v", "1"}});
  const std::string base = *hooks.Key(f.b.plan.jobs[job], results);
  EXPECT_EQ(*hooks.Key(f.b.plan.jobs[job], results), base);
  f.dir.Write("src/a.c", "a2");
  const std::string changed_input = *hooks.Key(f.b.plan.jobs[job], results);
  EXPECT_NE(changed_input, base);
  results[need].outputs = {{"v", "2"}};
  const std::string changed_output = *hooks.Key(f.b.plan.jobs[job], results);
  EXPECT_NE(changed_output, changed_input);
  results[need].artifacts = ManifestToJson({{"dist/app", std::string(32, 'a'), 3, 0644}});
  EXPECT_NE(*hooks.Key(f.b.plan.jobs[job], results), changed_output);
}

TEST(CacheHooksTest, HitRestoresArtifactsAndPrunedObjectsMakeAMiss) {
  Fixture f;
  auto job = f.b.Add("build", "make", {}, [](spec::Job& j) {
    j.inputs = {"src/**"};
    j.artifacts = {"dist/**"};
  });
  const plan::PlannedJob& pj = f.b.plan.jobs[job];
  std::vector<JobResult> results(1);
  {
    CacheHooks hooks = f.Hooks();
    auto before = hooks.BeforeStart(pj, results);
    ASSERT_TRUE(before.ok()) << before.error().message;
    EXPECT_FALSE(before->has_value());  // nothing cached yet
    f.dir.Write("dist/app", "binary");
    JobResult r = Success({{"version", "1.0"}});
    ASSERT_TRUE(hooks.AfterSuccess(pj, &r).ok());
    EXPECT_EQ(r.cache_key.size(), 32u);
    EXPECT_NE(r.artifacts.find("dist/app"), std::string::npos);
    f.Record(pj, r, 1);
  }
  std::filesystem::remove_all(f.dir / "dist");
  {
    CacheHooks hooks = f.Hooks();
    auto hit = hooks.BeforeStart(pj, results);
    ASSERT_TRUE(hit.ok() && hit->has_value());
    EXPECT_TRUE((*hit)->cached);
    EXPECT_EQ((*hit)->outputs, (exec::Outputs{{"version", "1.0"}}));
    EXPECT_EQ(f.dir.Read("dist/app"), "binary");
    auto off = f.Hooks(/*lookup=*/false).BeforeStart(pj, results);
    ASSERT_TRUE(off.ok());
    EXPECT_FALSE(off->has_value());  // --no-cache
  }
  ASSERT_TRUE(ArtifactStore(f.dir / ".gauntlet/artifacts").Clear().ok());
  auto miss = f.Hooks().BeforeStart(pj, results);
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->has_value());  // the objects are gone: run it rather than fail
}

TEST(CacheHooksTest, NeedsArtifactsAreRestoredIntoTheWorkingDirectory) {
  Fixture f;
  auto need = f.b.Add("need", "x");
  auto job = f.b.Add("job", "y", {need});
  f.b.plan.jobs[job].working_directory = "sub";
  f.dir.Write("dist/lib.a", "lib");
  ArtifactStore objects(f.dir / ".gauntlet/artifacts");
  auto manifest = objects.Put(f.dir.path(), {"dist/**"});
  ASSERT_TRUE(manifest.ok());
  std::vector<JobResult> results(2);
  results[need] = Success();
  results[need].artifacts = ManifestToJson(*manifest);
  CacheHooks hooks = f.Hooks();
  auto r = hooks.BeforeStart(f.b.plan.jobs[job], results);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(f.dir.Read("sub/dist/lib.a"), "lib");
  auto inode = [&] { return Inode(f.dir / "sub/dist/lib.a"); };
  const uint64_t first = inode();
  // The next job needing it finds the very file this run put there: no copy.
  ASSERT_TRUE(hooks.BeforeStart(f.b.plan.jobs[job], results).ok());
  EXPECT_EQ(inode(), first);
  // A job changed it meanwhile: restored again.
  f.dir.Write("sub/dist/lib.a", "tampered");
  ASSERT_TRUE(hooks.BeforeStart(f.b.plan.jobs[job], results).ok());
  EXPECT_EQ(f.dir.Read("sub/dist/lib.a"), "lib");

  results[need].artifacts =
      R"([{"path": "../../x", "hash": ")" + std::string(32, 'a') + R"(", "size": 1, "mode": 420}])";
  auto bad = f.Hooks().BeforeStart(f.b.plan.jobs[job], results);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("artifacts of need"), std::string::npos);
}

}  // namespace
}  // namespace gauntlet::store
