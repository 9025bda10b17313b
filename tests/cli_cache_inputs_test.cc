// End-to-end: input digests through the real binary. Within a run each input is hashed
// once, until a job starts (it may write inputs of the jobs after it); across runs the
// stat cache (.gauntlet/inputs.stat) spares reading unchanged files, and never hides a
// change: same size and mtime put back, a file replaced by another.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using testing::JobStatuses;
using testing::Workspace;
namespace fs = std::filesystem;

timespec FileMtime(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mtim;
}

void SetFileMtime(const fs::path& p, timespec t) {
  timespec times[2] = {t, t};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
}

TEST(CliCacheInputsTest, InputsAJobWritesDuringTheRunAreHashedAfterIt) {
  // gen/version is "0" at rest: `check` hashes it first; `generate` (no inputs: always
  // runs) writes "1", which `use` reads; `restore` puts "0" back. On the second run `use`
  // must be hashed with "1" (cached from the first run), not with what `check` saw.
  Workspace ws;
  ws.Write("gen/version", "0");
  ws.Write("gauntlet.yml", R"YML(name: gen
jobs:
  check:
    inputs: ["gen/**"]
    run: "true"
  generate:
    needs: [check]
    run: printf 1 > gen/version
  use:
    needs: [generate]
    inputs: ["gen/**"]
    run: grep -q 1 gen/version
  restore:
    needs: [use]
    run: printf 0 > gen/version
)YML");
  ASSERT_EQ(ws.Run({"run", "-j", "1"}).code, 0);
  auto second = ws.Run({"run", "-j", "1", "--json"});
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  auto s = JobStatuses(second);
  EXPECT_EQ(s["check"], "cached");
  EXPECT_EQ(s["generate"], "success");
  EXPECT_EQ(s["use"], "cached") << "hashed as `generate` left gen/version, not as `check` saw it";
  EXPECT_EQ(s["restore"], "success");
}

TEST(CliCacheInputsTest, TheStatCacheNeverHidesAChange) {
  Workspace ws;
  ws.Write("src/a.c", "int a = 1;\n");
  ws.Write("src/b.c", "int b = 2;\n");
  ws.Write("gauntlet.yml",
           "name: s\njobs:\n  build:\n    inputs: [\"src/**\"]\n    run: \"true\"\n");
  ASSERT_EQ(ws.Run({"run"}).code, 0);
  EXPECT_TRUE(fs::exists(ws.dir() / ".gauntlet/inputs.stat"));
  EXPECT_EQ(JobStatuses(ws.Run({"run", "--json"}))["build"], "cached");

  // Same size, the mtime put back to the nanosecond: the content still decides.
  const timespec t = FileMtime(ws.dir() / "src/a.c");
  ws.Write("src/a.c", "int a = 7;\n");
  SetFileMtime(ws.dir() / "src/a.c", t);
  EXPECT_EQ(JobStatuses(ws.Run({"run", "--json"}))["build"], "success");
  EXPECT_EQ(JobStatuses(ws.Run({"run", "--json"}))["build"], "cached");

  // Replaced by another file (a new inode) of the same size and mtime.
  const timespec tb = FileMtime(ws.dir() / "src/b.c");
  ws.Write("b.new", "int b = 3;\n");
  SetFileMtime(ws.dir() / "b.new", tb);
  fs::rename(ws.dir() / "b.new", ws.dir() / "src/b.c");
  EXPECT_EQ(JobStatuses(ws.Run({"run", "--json"}))["build"], "success");

  // A touch alone is not a change; a damaged stat cache is only a cache.
  SetFileMtime(ws.dir() / "src/b.c", {tb.tv_sec + 5, 0});
  EXPECT_EQ(JobStatuses(ws.Run({"run", "--json"}))["build"], "cached");
  ws.Write(".gauntlet/inputs.stat", "gauntlet-stat-cache-v1\nnot an entry\n");
  EXPECT_EQ(JobStatuses(ws.Run({"run", "--json"}))["build"], "cached");
}

}  // namespace
}  // namespace gauntlet
