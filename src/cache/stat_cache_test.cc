#include "cache/stat_cache.h"

#include <gtest/gtest.h>

#include <fstream>

#include "cache/test_dir.h"

namespace gauntlet::cache {
namespace {

constexpr int64_t kStatSecond = 1'000'000'000;

WalkEntry StatFile(const std::string& path, int64_t mtime_ns) {
  WalkEntry e;
  e.path = path;
  e.size = 4;
  e.mode = 0644;
  e.mtime_ns = mtime_ns;
  e.ctime_ns = mtime_ns;
  e.ino = 7;
  e.dev = 3;
  return e;
}

TEST(StatCacheTest, AnEntryIsTrustedOnlyForTheSameStatAndOldEnoughTimestamps) {
  const int64_t t = 1'700'000'000 * kStatSecond;
  const WalkEntry f = StatFile("a.c", t);
  StatEntry e{4, t, t, 7, 3, 0644, HashBytes("abcd"), t + kRacyNs + 1};
  EXPECT_TRUE(Trusted(e, f));
  // Racy: recorded within kRacyNs of the file's last change (at the boundary too), the
  // file may have changed again in the same tick without its timestamps moving.
  e.recorded_ns = t + kRacyNs;
  EXPECT_FALSE(Trusted(e, f));
  e.recorded_ns = t + 1;
  EXPECT_FALSE(Trusted(e, f));
  e.recorded_ns = t + kRacyNs + 1;
  // Each field that can tell a new version of the file.
  WalkEntry g = f;
  g.size = 5;
  EXPECT_FALSE(Trusted(e, g));
  g = f;
  g.mtime_ns += 1;  // a touch, to the nanosecond
  EXPECT_FALSE(Trusted(e, g));
  g = f;
  g.ctime_ns += kStatSecond;  // written, then its mtime set back (touch -d, cp -p, tar)
  EXPECT_FALSE(Trusted(e, g));
  g = f;
  g.ino = 8;  // replaced by another file (a rename over it)
  EXPECT_FALSE(Trusted(e, g));
  g = f;
  g.dev = 4;
  EXPECT_FALSE(Trusted(e, g));
  g = f;
  g.mode = 0755;
  EXPECT_FALSE(Trusted(e, g));
  g = f;
  g.kind = WalkEntry::Kind::kSymlink;
  EXPECT_FALSE(Trusted(e, g));
  // A recent ctime alone (chmod back and forth) is racy too.
  StatEntry chmodded = e;
  chmodded.ctime_ns = e.recorded_ns - 1;
  g = f;
  g.ctime_ns = chmodded.ctime_ns;
  EXPECT_FALSE(Trusted(chmodded, g));
}

TEST(StatCacheTest, SavedAndLoadedWhole) {
  TestDir dir;
  const std::string path = dir / "inputs.stat";
  const int64_t t = 1'700'000'000 * kStatSecond;
  StatCache c = StatCache::Load(path);
  EXPECT_EQ(c.size(), 0u) << "no file yet";
  c.Record(StatFile("src/a c.c", t), HashBytes("a"), t + 3 * kStatSecond);  // a space in the name
  c.Record(StatFile("src/b.c", t), HashBytes("b"), t + 3 * kStatSecond);
  WalkEntry link = StatFile("link", t);
  link.kind = WalkEntry::Kind::kSymlink;
  c.Record(link, HashBytes("x"), t + 3 * kStatSecond);  // symlinks are hashed by target: not kept
  c.Record(StatFile("new\nline", t), HashBytes("n"), t + 3 * kStatSecond);
  ASSERT_TRUE(c.Save().ok());
  StatCache back = StatCache::Load(path);
  EXPECT_EQ(back.size(), 2u);
  EXPECT_EQ(back.Find(StatFile("src/a c.c", t)), HashBytes("a"));
  EXPECT_EQ(back.Find(StatFile("src/b.c", t)), HashBytes("b"));
  EXPECT_FALSE(back.Find(StatFile("src/b.c", t + 1)).has_value());
  // Damaged or of another version: empty, never half-trusted.
  std::ofstream(path, std::ios::app) << "not an entry\n";
  EXPECT_EQ(StatCache::Load(path).size(), 0u);
  std::ofstream(path, std::ios::trunc) << "gauntlet-stat-cache-v0\n";
  EXPECT_EQ(StatCache::Load(path).size(), 0u);
}

}  // namespace
}  // namespace gauntlet::cache
