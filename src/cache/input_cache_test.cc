#include "cache/input_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cache/test_dir.h"

namespace gauntlet::cache {
namespace {


// A clock 10 s ahead: the files written by a test are then old enough for their stat cache
// entries to be trusted (stat_cache.h), without waiting.
int64_t Later() { return RealtimeNs() + 10'000'000'000; }

Digest RunDigest(InputCache& c, const std::vector<std::string>& patterns) {
  auto d = c.Hash(patterns);
  EXPECT_TRUE(d.ok()) << d.error().message;
  return d.ok() ? d->digest : Digest{};
}

void SetMtime(const std::string& path, timespec when) {
  timespec times[2] = {when, when};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

timespec MtimeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mtim;
}

class InputCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 10; ++i) dir_.Write("in/f" + std::to_string(i), "content " + std::to_string(i));
    dir_.Write("out/untracked.o", "not an input");
  }
  TestDir dir_;
  const std::string stat_path_ = dir_ / "inputs.stat";
};

TEST_F(InputCacheTest, EachGlobListIsWalkedOnceAndEachFileReadOncePerRun) {
  InputCache run(dir_.path());
  const Digest d = RunDigest(run, {"in/**"});
  for (int job = 0; job < 999; ++job) EXPECT_EQ(RunDigest(run, {"in/**"}), d);
  EXPECT_EQ(run.stats().walks, 1u);
  EXPECT_EQ(run.stats().reused, 999u);
  EXPECT_EQ(run.stats().hashing.files_read, 10u);
  // Another glob list over the same files walks once more but reads nothing again.
  EXPECT_NE(RunDigest(run, {"in/f1", "in/f2"}), d);
  EXPECT_EQ(run.stats().walks, 2u);
  EXPECT_EQ(run.stats().hashing.files_read, 10u);
  // The same answer as the plain walk + hash.
  auto plain = HashInputs(dir_.path(), {"in/**"});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->digest, d);
}

TEST_F(InputCacheTest, TheNextRunReadsNoUnchangedFile) {
  Digest first;
  {
    StatCache stats = StatCache::Load(stat_path_);
    InputCache run(dir_.path(), &stats, Later);
    first = RunDigest(run, {"in/**"});
    ASSERT_TRUE(stats.Save().ok());
  }
  StatCache stats = StatCache::Load(stat_path_);
  InputCache run(dir_.path(), &stats, Later);
  EXPECT_EQ(RunDigest(run, {"in/**"}), first);
  EXPECT_EQ(run.stats().hashing.files_read, 0u);
  EXPECT_EQ(run.stats().hashing.files_known, 10u);
}

TEST_F(InputCacheTest, ATouchedFileIsReadAgainAndStillTheSameInput) {
  StatCache stats = StatCache::Load(stat_path_);
  const Digest first = [&] {
    InputCache run(dir_.path(), &stats, Later);
    return RunDigest(run, {"in/**"});
  }();
  timespec t = MtimeOf(dir_ / "in/f3");
  t.tv_sec += 1;
  SetMtime(dir_ / "in/f3", t);
  InputCache run(dir_.path(), &stats, Later);
  EXPECT_EQ(RunDigest(run, {"in/**"}), first) << "a touch is not a change";
  EXPECT_EQ(run.stats().hashing.files_read, 1u);
}

TEST_F(InputCacheTest, AFileReplacedWithTheSameSizeAndMtimeIsSeen) {
  StatCache stats = StatCache::Load(stat_path_);
  const Digest first = [&] {
    InputCache run(dir_.path(), &stats, Later);
    return RunDigest(run, {"in/**"});
  }();
  // A new inode (rename over it), same size and the same mtime to the nanosecond.
  const timespec t = MtimeOf(dir_ / "in/f3");
  dir_.Write("in/f3.new", "CONTENT 3");
  SetMtime(dir_ / "in/f3.new", t);
  ASSERT_EQ(::rename((dir_ / "in/f3.new").c_str(), (dir_ / "in/f3").c_str()), 0);
  InputCache run(dir_.path(), &stats, Later);
  EXPECT_NE(RunDigest(run, {"in/**"}), first);
  EXPECT_EQ(run.stats().hashing.files_read, 1u);
}

TEST_F(InputCacheTest, AChangeInTheRacyWindowIsSeenWithTheRealClock) {
  // Hashed right after it was written, changed again in place at once: same size, and its
  // mtime put back to the very same value. The entry was recorded within kRacyNs of the
  // file's timestamps, so it is not trusted, whatever the ctime says.
  StatCache stats = StatCache::Load(stat_path_);
  const Digest first = [&] {
    InputCache run(dir_.path(), &stats);
    return RunDigest(run, {"in/**"});
  }();
  const timespec t = MtimeOf(dir_ / "in/f5");
  dir_.Write("in/f5", "CONTENT 5");
  SetMtime(dir_ / "in/f5", t);
  InputCache run(dir_.path(), &stats);
  EXPECT_NE(RunDigest(run, {"in/**"}), first);
  EXPECT_GE(run.stats().hashing.files_read, 1u);
}

TEST_F(InputCacheTest, AfterAJobStartsNothingIsRememberedWithinTheRun) {
  StatCache stats;
  InputCache run(dir_.path(), &stats, Later);
  const Digest before = RunDigest(run, {"in/**"});
  run.WorkTreeMayChange();
  dir_.Write("in/f1", "written by a job");
  EXPECT_NE(RunDigest(run, {"in/**"}), before);
  dir_.Write("in/new", "a new file");
  const Digest with_new = RunDigest(run, {"in/**"});
  EXPECT_EQ(run.stats().walks, 3u) << "every Hash walks again";
  EXPECT_EQ(RunDigest(run, {"in/**"}), with_new);
  EXPECT_EQ(run.stats().reused, 0u);
}

TEST_F(InputCacheTest, ForgetAfterTheOwnerWroteFiles) {
  InputCache run(dir_.path());
  const Digest before = RunDigest(run, {"in/**"});
  dir_.Write("in/f1", "restored artifact");
  run.Forget();
  EXPECT_NE(RunDigest(run, {"in/**"}), before);
  EXPECT_EQ(RunDigest(run, {"in/**"}), RunDigest(run, {"in/**"}));
  EXPECT_EQ(run.stats().walks, 2u) << "remembered again until the next Forget";
}

}  // namespace
}  // namespace gauntlet::cache
