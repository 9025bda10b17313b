// Against a real nginx (Debian package `nginx`), started by the test as this user.
#include "deploy/nginx_router.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "deploy/exec_command.h"
#include "deploy/testing.h"
#include "deploy/testing_client.h"
#include "deploy/testing_nginx.h"
#include "core/test_tools.h"

namespace gauntlet::deploy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DeployNginxConfig, PidFileFromTheConfigDump) {
  const std::string dump =
      "nginx: the configuration file /x/nginx.conf syntax is ok\n"
      "# configuration file /x/nginx.conf:\nworker_processes 1;\n  pid  run/n.pid ;\n";
  EXPECT_EQ(PidFileFromConfig(dump, "/srv/ngx"), "/srv/ngx/run/n.pid") << "relative to -p";
  EXPECT_EQ(PidFileFromConfig(dump, "/srv/ngx/"), "/srv/ngx/run/n.pid");
  EXPECT_EQ(PidFileFromConfig(dump, ""), "") << "relative with no prefix: cannot tell";
  EXPECT_EQ(PidFileFromConfig("pid /run/x.pid;\n", ""), "/run/x.pid");
  EXPECT_EQ(PidFileFromConfig("# pid /a.pid;\nworker_processes 1;\n", ""), "/run/nginx.pid")
      << "a comment is not the directive; none: Debian's default";
}

class DeployNginx : public ::testing::Test {
 protected:
  void SetUp() override {
    GAUNTLET_NEED_TOOL(testing::HaveNginx(), "nginx");
    v1_ = testing::StartTestApp(&app1_, {"--version", "1"});
    v2_ = testing::StartTestApp(&app2_, {"--version", "2"});
    ASSERT_FALSE(v1_.empty());
    ASSERT_FALSE(v2_.empty());
    nginx_.emplace(dir_.path() + "/nginx", RenderUpstream("app", {{"v1", v1_, 100}}));
    ASSERT_TRUE(nginx_->ok()) << ReadAll(nginx_->error_log());
    options_.upstream_file = nginx_->upstream_file();
    options_.upstream_name = "app";
    options_.nginx = nginx_->command();
    // Every command the router runs, in order.
    run_ = [this](const CommandRequest& r) {
      commands_.push_back(r.argv.back() == "reload" ? "reload" : r.argv.back());
      return ExecCommand(r);
    };
  }

  pid_t Master() { return ReadPidFile(nginx_->pid_file()); }

  testing::TempDir dir_;
  testing::Child app1_, app2_;
  std::optional<testing::TestNginx> nginx_;
  std::string v1_, v2_;
  NginxRouterOptions options_;
  CommandRunner run_;
  std::vector<std::string> commands_;
  SystemClock clock_;
};

TEST_F(DeployNginx, ShiftsWeightsAndDrainsWithZeroFailedRequests) {
  testing::Client client(nginx_->socket());
  ASSERT_TRUE(client.WaitFor("1", seconds(10)));
  NginxRouter router(options_, run_);
  for (auto [w1, w2] : {std::pair{50, 50}, std::pair{0, 100}, std::pair{100, 0}}) {
    std::vector<ProcessId> before = ChildrenOf(Master());
    ASSERT_FALSE(before.empty());
    auto changed = router.SetWeights({{"v1", v1_, w1}, {"v2", v2_, w2}});
    ASSERT_TRUE(changed.ok()) << changed.error().message;
    EXPECT_TRUE(*changed);
    auto waited = router.AwaitOldConnections(clock_, seconds(10));
    ASSERT_TRUE(waited.ok()) << waited.error().message;
    EXPECT_NE(waited->find("exited after"), std::string::npos) << *waited;
    for (const ProcessId& p : before) EXPECT_FALSE(StillRunning(p)) << "old worker " << p.pid;
    EXPECT_FALSE(ChildrenOf(Master()).empty()) << "the new worker serves";
    // Every request from here on goes through a worker with the new routing.
    const std::string only = w2 == 100 ? "2" : w1 == 100 ? "1" : "";
    if (!only.empty()) {
      EXPECT_TRUE(client.WaitFor(only, seconds(10)));
    }
  }
  client.Stop();
  EXPECT_GT(client.ok(), 0);
  EXPECT_EQ(client.failed(), 0) << "a request failed during the shifts" << client.failures();
  EXPECT_GT(client.served_by("2"), 0);
  EXPECT_EQ(commands_, (std::vector<std::string>{"-T", "reload", "-T", "reload", "-T", "reload"}));
}

// A request in flight on the old worker keeps it, and the wait, until it is answered:
// stopping its backend before then would fail it.
TEST_F(DeployNginx, TheWaitLastsUntilTheOldWorkersRequestsAreAnswered) {
  testing::Child slow_app;
  std::string slow = testing::StartTestApp(&slow_app, {"--version", "slow", "--latency-ms", "700"});
  ASSERT_FALSE(slow.empty());
  NginxRouter router(options_, run_);
  ASSERT_TRUE(router.SetWeights({{"slow", slow, 100}}).ok());
  ASSERT_TRUE(router.AwaitOldConnections(clock_, seconds(10)).ok());
  testing::Client client(nginx_->socket());
  // Requests take 700 ms each: one is almost always in flight on the current worker.
  ASSERT_TRUE(client.WaitFor("slow", seconds(20), 1));
  // The client sends its next request as soon as one is answered: that one is now on its
  // way through the current worker, for 700 ms.
  const int answered_before = client.served_by("slow");
  ASSERT_TRUE(router.SetWeights({{"v1", v1_, 100}}).ok());
  auto waited = router.AwaitOldConnections(clock_, seconds(10));
  ASSERT_TRUE(waited.ok()) << waited.error().message;
  // The wait lasted until that request was answered (a wait that returned at once would
  // not have seen it through).
  EXPECT_GT(client.served_by("slow"), answered_before) << "the wait ended before the answer";
  // What the deployment does next, at its harshest: the old backend dies at once. A
  // request still on its way through the old worker would fail now.
  slow_app.Stop(SIGKILL);
  EXPECT_TRUE(client.WaitFor("1", seconds(10)));
  client.Stop();
  EXPECT_EQ(client.failed(), 0) << client.failures();
}

TEST_F(DeployNginx, UnchangedWeightsLeaveNginxAlone) {
  NginxRouter router(options_, run_);
  ASSERT_TRUE(*router.SetWeights({{"v1", v1_, 100}, {"v2", v2_, 0}}));
  ASSERT_TRUE(router.AwaitOldConnections(clock_, seconds(10)).ok());
  std::vector<ProcessId> workers = ChildrenOf(Master());
  commands_.clear();
  // The same routing again (a resumed step, the no-traffic analysis, a rollback from 0%):
  // no test, no reload, the workers and their keep-alive connections untouched.
  auto again = router.SetWeights({{"v1", v1_, 100}, {"v2", v2_, 0}});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_TRUE(commands_.empty());
  EXPECT_EQ(*router.AwaitOldConnections(clock_, seconds(1)), "");
  for (const ProcessId& p : workers) EXPECT_TRUE(StillRunning(p));
  // A new router (another process, `deploy --resume`) reads the file, not its memory.
  NginxRouter other(options_, run_);
  EXPECT_FALSE(*other.SetWeights({{"v1", v1_, 100}, {"v2", v2_, 0}}));
  EXPECT_TRUE(commands_.empty());
  EXPECT_TRUE(*other.SetWeights({{"v1", v1_, 90}, {"v2", v2_, 10}}));
  EXPECT_EQ(commands_, (std::vector<std::string>{"-T", "reload"}));
}

TEST_F(DeployNginx, RejectedConfigRestoresPreviousFile) {
  NginxRouter router(options_, run_);
  ASSERT_TRUE(router.SetWeights({{"v1", v1_, 100}, {"v2", v2_, 0}}).ok());
  std::string good = ReadAll(options_.upstream_file);
  commands_.clear();
  // Valid for gauntlet, rejected by nginx: the port is out of range.
  auto s = router.SetWeights({{"v1", v1_, 50}, {"v2", "127.0.0.1:99999", 50}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("nginx -T failed"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("port"), std::string::npos) << s.error().message;
  EXPECT_EQ(ReadAll(options_.upstream_file), good);
  EXPECT_EQ(commands_, std::vector<std::string>{"-T"}) << "no reload of a rejected file";
  // And traffic still flows to v1.
  testing::Client client(nginx_->socket());
  EXPECT_TRUE(client.WaitFor("1", seconds(10)));
  client.Stop();
  EXPECT_EQ(client.served_by("2"), 0);
}

// docs/deploy.md: when `nginx -t` passes but the reload fails (nginx not running), the
// new file stays, for nginx to load when it starts; the step fails.
TEST_F(DeployNginx, AFailedReloadKeepsTheNewValidFile) {
  NginxRouter router(options_, run_);
  nginx_->Stop();
  auto s = router.SetWeights({{"v1", v1_, 30}, {"v2", v2_, 70}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("nginx -s reload failed"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(ReadAll(options_.upstream_file),
            RenderUpstream("app", {{"v1", v1_, 30}, {"v2", v2_, 70}}));
  // Asked again, it tries again rather than take the file for what nginx runs.
  commands_.clear();
  EXPECT_FALSE(router.SetWeights({{"v1", v1_, 30}, {"v2", v2_, 70}}).ok());
  EXPECT_EQ(commands_, (std::vector<std::string>{"-T", "reload"}));
}

TEST_F(DeployNginx, WithoutItsMasterTheWaitSaysWhy) {
  options_.pid_file = dir_.path() + "/no-such.pid";
  NginxRouter router(options_, run_);
  ASSERT_TRUE(router.SetWeights({{"v1", v1_, 50}, {"v2", v2_, 50}}).ok());
  auto waited = router.AwaitOldConnections(clock_, seconds(1));
  ASSERT_TRUE(waited.ok());
  EXPECT_NE(waited->find("no nginx master in " + options_.pid_file), std::string::npos) << *waited;
}

}  // namespace
}  // namespace gauntlet::deploy
