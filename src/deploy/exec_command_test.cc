#include "deploy/exec_command.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;

// Whether `pid` is dead (gone, or a zombie waiting for init), waiting up to 5 s for it:
// a killed process is reaped by init a moment later and no fd signals that, so yield
// until then rather than sleep a fixed time.
bool ProcessGone(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (kill(pid, 0) == -1 && errno == ESRCH) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (std::getline(stat, line)) {
      size_t paren = line.rfind(')');
      if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z')
        return true;
    }
    std::this_thread::yield();
  }
  return false;
}

CommandRequest Sh(const std::string& script, Duration timeout = std::chrono::seconds(30)) {
  return CommandRequest{ShellArgv(script, "gauntlet-test"), {}, timeout};
}

TEST(DeployExecCommand, RunsArgvAsGivenWithTheAddedEnvironment) {
  CommandRequest req{{"/bin/sh", "-c", "printf '%s|' \"$1\" \"$FOO\" \"$HOME\"", "name", "a b;$x"},
                     {{"FOO", "bar"}, {"HOME", "/override"}},
                     std::chrono::seconds(30)};
  auto r = ExecCommand(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->signal, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->output, "a b;$x|bar|/override|");
}

TEST(DeployExecCommand, ExitCodeSignalAndCappedOutput) {
  auto r = ExecCommand(Sh("head -c 100000 /dev/zero; echo err >&2; exit 7"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_EQ(r->output.size(), 64u * 1024);
  r = ExecCommand(Sh("kill -9 $$"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_FALSE(r->timed_out);
}

TEST(DeployExecCommand, UnstartableCommandIsAnError) {
  auto r = ExecCommand(CommandRequest{{"no-such-program-xyz", "arg"}, {}, milliseconds(500)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no-such-program-xyz"), std::string::npos) << r.error().message;
  EXPECT_FALSE(ExecCommand(CommandRequest{}).ok());
}

TEST(DeployExecCommand, TimeoutKillsABackgroundGrandchild) {
  CommandRunner run = ExecCommandRunner(ExecCommandOptions{milliseconds(200)});
  // The command waits on a grandchild with its own output: the group is killed, not only sh.
  auto r = run(Sh("tail -f /dev/null >/dev/null 2>&1 & echo $!; wait", milliseconds(300)));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  pid_t grandchild = std::stoi(r->output);
  EXPECT_TRUE(ProcessGone(grandchild)) << "grandchild " << grandchild << " survived the timeout";
}

TEST(DeployExecCommand, TimeoutKillsABackgroundGrandchildAfterTheCommandExited) {
  CommandRunner run = ExecCommandRunner(ExecCommandOptions{milliseconds(200)});
  // sh exits at once; the grandchild ignores TERM and holds the output open: KILL after
  // the grace reaches it.
  auto r = run(Sh("(trap '' TERM; exec tail -f /dev/null) & echo $!", milliseconds(300)));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  pid_t grandchild = std::stoi(r->output);
  EXPECT_TRUE(ProcessGone(grandchild)) << "grandchild " << grandchild << " survived the timeout";
}

TEST(DeployExecCommand, DetachedServerOutlivesItsDeployCommand) {
  auto r = ExecCommand(Sh("tail -f /dev/null >/dev/null 2>&1 & echo $!", milliseconds(5000)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_FALSE(r->timed_out);
  pid_t server = std::stoi(r->output);
  EXPECT_EQ(kill(server, 0), 0) << "the server the command started was killed";
  kill(server, SIGKILL);
  EXPECT_TRUE(ProcessGone(server));
}

}  // namespace
}  // namespace gauntlet::deploy
