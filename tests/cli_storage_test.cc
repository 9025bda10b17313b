// End to end: the state directory fills up in the middle of a run. The run stops at
// once, ends failed with a storage reason and its own exit code, keeps what was
// committed, and continues with --resume once space is freed, without running a
// committed success again and without mixing two executions of a job in its log.
//
// The disk is a small tmpfs when the test may mount one (root, a mount namespace);
// otherwise the engine runs under a file size limit (RLIMIT_FSIZE), which makes its
// writes fail past it the way a full disk does. The test says which one it used.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using testing::Output;
using testing::ReadFile;
using testing::Workspace;
namespace fs = std::filesystem;

class CliStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = ws_.dir() / "state";
    fs::create_directories(state_);
    tmpfs_ = mount("gauntlet-test", state_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                   "size=8m,mode=0755") == 0;
    const char* how = tmpfs_ ? "an 8 MiB tmpfs, filled by the job"
                             : "RLIMIT_FSIZE of 1 MiB on the engine (no permission to mount)";
    RecordProperty("disk_full_simulated_with", how);
    std::printf("[ disk full ] simulated with %s\n", how);
  }
  void TearDown() override {
    if (tmpfs_) umount2(state_.c_str(), MNT_DETACH);
  }

  // Runs the binary, under the file size limit when there is no tmpfs to fill.
  Output Gauntlet(std::vector<std::string> args, bool limited) {
    args.push_back("--state-dir");
    args.push_back(state_.string());
    if (tmpfs_ || !limited) return ws_.Run(args);
    rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    rlimit small{1 << 20, old.rlim_max};
    // Set around the spawn only: the child inherits it, the test runs on without it.
    // SIGXFSZ ignored (inherited too): a write past the limit fails with EFBIG.
    struct sigaction ignore {
    }, saved{};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &ignore, &saved);
    setrlimit(RLIMIT_FSIZE, &small);
    pid_t pid = ws_.Start(args);
    setrlimit(RLIMIT_FSIZE, &old);
    sigaction(SIGXFSZ, &saved, nullptr);
    return ws_.Wait(pid);
  }

  Workspace ws_;
  fs::path state_;
  bool tmpfs_ = false;
};

TEST_F(CliStorageTest, AFullDiskStopsTheRunAndAResumeFinishesIt) {
  // `fill` prints 1 MiB (it reaches the log while there is room), fills the state
  // directory (tmpfs), then prints 1 MiB more, which the log cannot take.
  ws_.Write("gauntlet.yml", R"YML(name: full
jobs:
  first: { run: "echo ran >> first.count" }
  fill:
    needs: [first]
    commands:
      - echo ran >> fill.count
      - head -c 1048576 /dev/zero | tr '\0' 'x'
      - |
        if [ ! -e filled ]; then
          touch filled
          if [ -n "$FILLER" ]; then dd if=/dev/zero of="$FILLER" bs=64k 2>/dev/null || true; fi
        fi
      - head -c 1048576 /dev/zero | tr '\0' 'x'
  after: { needs: [fill], run: "echo ran >> after.count" }
)YML");
  if (tmpfs_) setenv("FILLER", (state_ / "filler").c_str(), 1);
  Output full = Gauntlet({"run", "--json"}, /*limited=*/true);
  unsetenv("FILLER");
  EXPECT_EQ(full.code, 5) << full.out << full.err;
  EXPECT_THAT(full.err, HasSubstr("gauntlet: storage error: "));
  EXPECT_THAT(full.err, HasSubstr("gauntlet run --resume 1"));
  EXPECT_FALSE(fs::exists(ws_.dir() / "after.count")) << "a dependent started anyway";
  EXPECT_EQ(ReadFile(ws_.dir() / "first.count"), "ran\n");

  // Space comes back.
  fs::remove(state_ / "filler");
  Output resumed = Gauntlet({"run", "--resume", "--json"}, /*limited=*/false);
  ASSERT_EQ(resumed.code, 0) << resumed.out << resumed.err;
  auto j = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(j["run"], 1);
  EXPECT_EQ(j["jobs"][0]["resumed"], true);
  EXPECT_EQ(ReadFile(ws_.dir() / "first.count"), "ran\n") << "a committed success ran again";
  EXPECT_EQ(ReadFile(ws_.dir() / "fill.count"), "ran\nran\n");
  EXPECT_EQ(ReadFile(ws_.dir() / "after.count"), "ran\n");

  // The resumed execution of `fill` is an attempt of its own, never mixed into the one
  // the full disk cut short.
  Output last = Gauntlet({"logs", "1", "fill", "--attempt", "2"}, false);
  ASSERT_EQ(last.code, 0) << last.err;
  EXPECT_EQ(last.out, std::string(2 << 20, 'x'));
  Output first_attempt = Gauntlet({"logs", "1", "fill", "--attempt", "1"}, false);
  EXPECT_GT(first_attempt.out.size(), size_t{512} << 10);  // what reached the disk is kept
  EXPECT_LT(first_attempt.out.size(), size_t{2} << 20);
  EXPECT_EQ(first_attempt.out.find_first_not_of('x'), std::string::npos);
}

}  // namespace
}  // namespace gauntlet
