#include "store/engine_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include "store/store.h"

namespace gauntlet::store {
namespace {

class EngineLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-lock-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(EngineLockTest, ASecondEngineIsRefusedAndToldTheHolder) {
  bool busy = false;
  auto first = EngineLock::Acquire(dir_, false, &busy, nullptr);
  ASSERT_TRUE(first.ok()) << first.error().message;
  first->SetRun(12);
  auto second = EngineLock::Acquire(dir_, false, &busy, nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(busy);
  const std::string& m = second.error().message;
  EXPECT_NE(m.find("run 12, pid " + std::to_string(getpid()) + " on host " + HostName()),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("--wait"), std::string::npos);
}

TEST_F(EngineLockTest, ReleasedWhenTheHolderGoesAway) {
  bool busy = false;
  {
    auto held = EngineLock::Acquire(dir_, false, &busy, nullptr);
    ASSERT_TRUE(held.ok());
  }
  EXPECT_TRUE(EngineLock::Acquire(dir_, false, &busy, nullptr).ok());
}

// The kernel drops the lock of a killed holder: no stale lock after a SIGKILL.
TEST_F(EngineLockTest, AKilledHolderLeavesNoStaleLock) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t holder = fork();
  if (holder == 0) {
    bool b = false;
    auto lock = EngineLock::Acquire(dir_, false, &b, nullptr);
    char c = lock.ok() ? 'y' : 'n';
    (void)!write(ready[1], &c, 1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  bool busy = false;
  EXPECT_FALSE(EngineLock::Acquire(dir_, false, &busy, nullptr).ok());
  EXPECT_TRUE(busy);
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  EXPECT_TRUE(EngineLock::Acquire(dir_, false, &busy, nullptr).ok());
}

TEST_F(EngineLockTest, WaitBlocksUntilTheHolderReleases) {
  bool busy = false;
  auto acquired = EngineLock::Acquire(dir_, false, &busy, nullptr);
  ASSERT_TRUE(acquired.ok());
  std::optional<EngineLock> held(std::move(*acquired));
  std::promise<std::string> told;
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    bool b = false;
    auto lock =
        EngineLock::Acquire(dir_, true, &b, [&](const std::string& who) { told.set_value(who); });
    got = lock.ok();
  });
  // The waiter says whom it waits for before it blocks; it gets the lock once let go.
  auto who = told.get_future();
  ASSERT_EQ(who.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  // Blocked in the kernel, not merely about to be: /proc/locks lists the waiting request
  // ("->"). There is no event for that: the check is repeated, yielding, to a deadline.
  auto blocked_in_flock = [] {
    const std::string pid = " " + std::to_string(getpid()) + " ";
    for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
         std::chrono::steady_clock::now() < end; std::this_thread::yield()) {
      std::ifstream locks("/proc/locks");
      for (std::string line; std::getline(locks, line);)
        if (line.find("->") != std::string::npos && line.find("FLOCK") != std::string::npos &&
            line.find(pid) != std::string::npos)
          return true;
    }
    return false;
  };
  EXPECT_TRUE(blocked_in_flock()) << "the waiter never blocked on the lock";
  EXPECT_FALSE(got);
  held.reset();
  waiter.join();
  EXPECT_TRUE(got);
  EXPECT_NE(who.get().find("pid " + std::to_string(getpid())), std::string::npos);
}

TEST(StateDirKeyTest, SameDirectorySameKey) {
  EXPECT_EQ(StateDirKey("/tmp/x/.gauntlet"), StateDirKey("/tmp/x/../x/.gauntlet"));
  EXPECT_NE(StateDirKey("/tmp/x/.gauntlet"), StateDirKey("/tmp/y/.gauntlet"));
  EXPECT_EQ(StateDirKey("/tmp/x/.gauntlet").size(), 16u);
}

}  // namespace
}  // namespace gauntlet::store
