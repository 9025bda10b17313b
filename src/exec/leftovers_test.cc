// Processes that left their job's process group (setsid, a double fork), found and
// stopped by their GAUNTLET_TAG: real processes, real /proc.
#include "exec/leftovers.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "exec/local_runner.h"

namespace gauntlet::exec {
namespace {

using namespace std::chrono_literals;

// Whether `pid` exits within `limit`: waits on a pidfd (it need not be our child).
bool ExitsWithin(pid_t pid, std::chrono::milliseconds limit) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd p{fd, POLLIN, 0};
  bool exited = poll(&p, 1, static_cast<int>(limit.count())) == 1;
  close(fd);
  return exited;
}

struct ExitCollector : ProcessRunner::Delegate {
  std::map<ProcId, AttemptResult> exits;
  void OnOutput(ProcId, std::string_view) override {}
  void OnExit(ProcId id, const AttemptResult& r) override { exits[id] = r; }
};

// Starts a process in a session of its own and waits until it is there (it writes its pid
// after setsid): a job that ended sooner would have its whole group, the process still
// in it, killed, which proves nothing about what left the group.
constexpr const char* kDetach =
    "setsid sh -c 'echo $$ > \"$OUT/setsid.pid\"; exec tail -f /dev/null' "
    "</dev/null >/dev/null 2>&1 &\n"
    "while [ ! -s \"$OUT/setsid.pid\" ]; do :; done\n";

class LeftoversTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-leftovers-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // Unique to this test process: no other process on the machine carries it.
    prefix_ = "test-" + std::to_string(getpid()) + "-" + dir_.filename().string();
  }
  void TearDown() override {
    (void)KillTagged({prefix_}, 10s);
    std::filesystem::remove_all(dir_);
  }

  // Runs `script` with GAUNTLET_TAG=<prefix>/<name> until it exits (or times out).
  AttemptResult Run(const std::string& name, const std::string& script, Duration timeout,
                    const std::function<void(LocalRunner&, ProcId)>& started = nullptr) {
    LocalRunnerOptions o;
    o.kill_grace = 200ms;
    auto runner = LocalRunner::Create(o);
    EXPECT_TRUE(runner.ok());
    tag_ = prefix_ + "/" + name;
    env_ = {"GAUNTLET_TAG=" + tag_, "PATH=/usr/bin:/bin", "OUT=" + dir_.string()};
    std::vector<char*> envp;
    for (std::string& e : env_) envp.push_back(e.data());
    envp.push_back(nullptr);
    SpawnRequest req;
    req.shell = "sh";
    req.script = script;
    req.envp = envp.data();
    req.timeout = timeout;
    req.tag = tag_;
    ExitCollector c;
    auto id = (*runner)->Start(req);
    EXPECT_TRUE(id.ok());
    if (started) started(**runner, *id);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!c.exits.count(*id) && std::chrono::steady_clock::now() < deadline)
      EXPECT_TRUE((*runner)->Poll(deadline, &c).ok());
    return c.exits[*id];
  }

  pid_t ReadPid(const std::string& file) {
    std::ifstream in(dir_ / file);
    pid_t pid = 0;
    in >> pid;
    return pid;
  }

  std::filesystem::path dir_;
  std::string prefix_, tag_;
  std::vector<std::string> env_;
};

// A setsid'd process and a double-forked one escape kill(-pgid); the timeout still
// reaches them through the tag.
TEST_F(LeftoversTest, TimeoutStopsWhatLeftTheGroup) {
  AttemptResult r = Run("timeout",
                        std::string(kDetach) +
                        "(sh -c 'echo $$ > \"$OUT/double.pid\"; exec tail -f /dev/null' "
                        "</dev/null >/dev/null 2>&1 &)\n"
                        "while [ ! -s \"$OUT/double.pid\" ]; do :; done\n"
                        "exec tail -f /dev/null",
                        300ms);
  EXPECT_TRUE(r.timed_out);
  const pid_t escaped = ReadPid("setsid.pid"), orphan = ReadPid("double.pid");
  ASSERT_GT(escaped, 0);
  ASSERT_GT(orphan, 0);
  EXPECT_TRUE(ExitsWithin(escaped, 5s)) << "the setsid'd process survived the timeout";
  EXPECT_TRUE(ExitsWithin(orphan, 5s)) << "the double-forked process survived the timeout";
}

TEST_F(LeftoversTest, CancelStopsWhatLeftTheGroup) {
  AttemptResult r = Run("cancel",
                        std::string(kDetach) + "exec tail -f /dev/null",
                        0ms, [&](LocalRunner& runner, ProcId id) {
                          // Cancel once the escapee exists (the job wrote its pid).
                          while (ReadPid("setsid.pid") <= 0) {
                            std::this_thread::yield();
                          }
                          runner.Cancel(id);
                        });
  EXPECT_TRUE(r.cancelled);
  EXPECT_TRUE(ExitsWithin(ReadPid("setsid.pid"), 5s));
}

// Without a timeout or cancel, what a job detaches on purpose is left alone (and the
// runner stops waiting for its output after the grace period): documented behaviour.
TEST_F(LeftoversTest, ANormalExitLeavesADetachedProcessAlone) {
  AttemptResult r = Run("normal", kDetach, 0ms);
  EXPECT_EQ(r.exit_code, 0);
  const pid_t escaped = ReadPid("setsid.pid");
  EXPECT_FALSE(ExitsWithin(escaped, 50ms));
  EXPECT_EQ(FindTagged(tag_, false), std::vector<pid_t>{escaped});
  EXPECT_EQ(FindTagged(prefix_, true), std::vector<pid_t>{escaped});
  EXPECT_TRUE(FindTagged(prefix_ + "/norm", true).empty());  // whole components only
  auto killed = KillTagged({prefix_}, 10s);
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  EXPECT_EQ(*killed, 1);
  EXPECT_TRUE(ExitsWithin(escaped, 1s));  // KillTagged returned after it was gone
  EXPECT_TRUE(FindTagged(prefix_, true).empty());
}

}  // namespace
}  // namespace gauntlet::exec
