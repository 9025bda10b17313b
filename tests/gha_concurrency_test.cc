// A job's `concurrency:` (docs/github-actions.md, "Jobs"; docs/running.md, "Concurrency
// groups"), end to end with real processes: two jobs of one group in a run never
// overlap; across engines of one repository a job waits for the group, a newer waiting
// job replaces the older, cancel-in-progress cancels the running one, and a killed
// holder frees the group. The jobs wait at a gate the test holds (`flock -s`); the test
// waits for a job to wait on the group by watching the group's state file (inotify), so
// nothing depends on timing.
#include <signal.h>
#include <sys/inotify.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "vcs/test_repo.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using testing::Events;
using testing::Gate;
using testing::ReadFile;
using testing::Workspace;
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string InstallConcurrency(Workspace& ws, const std::string& name,
                               const std::string& from = "", const std::string& to = "") {
  std::string text = ReadFile(testing::GhaFixture(name));
  if (!from.empty()) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  ws.Write(".github/workflows/" + name, text);
  return ".github/workflows/" + name;
}

// Whether a group's state file under `dir` names a job waiting in it.
bool SomeJobWaits(const fs::path& dir) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".state") continue;
    json j = json::parse(ReadFile(e.path()), nullptr, false);
    if (j.is_object() && !j.value("pending", "").empty()) return true;
  }
  return false;
}

// Waits, on inotify events, until a job waits in a group under `dir`, up to `within`.
bool WaitForWaitingJob(const fs::path& dir, std::chrono::seconds within) {
  fs::create_directories(dir);
  int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  EXPECT_GE(fd, 0);
  EXPECT_GE(inotify_add_watch(fd, dir.c_str(), IN_MOVED_TO), 0);
  const auto end = std::chrono::steady_clock::now() + within;
  bool found = false;
  while (!(found = SomeJobWaits(dir))) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    end - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) > 0) {
      char buf[4096];
      while (read(fd, buf, sizeof buf) > 0) {
      }
    }
  }
  close(fd);
  return found;
}

// A `gauntlet run` of its own: output in files named after it.
struct ConcEngine {
  ConcEngine(Workspace& ws, const std::string& name, std::vector<std::string> args)
      : dir(ws.dir()), out(ws.dir() / (".out-" + name)), err(ws.dir() / (".err-" + name)) {
    pid = testing::SpawnGauntlet(std::move(args), dir, out, err);
    pidfd = testing::OpenPidFd(pid);
  }
  // A test that failed before waiting for it: SIGTERM, so the engine stops its jobs (they
  // would wait at the gate or on the events FIFO for ever), then reaped.
  ~ConcEngine() {
    if (!waited && pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
    if (pidfd >= 0) close(pidfd);
  }
  bool Exited(std::chrono::seconds within) { return testing::WaitExited(pidfd, within); }
  testing::Output Wait() {
    waited = true;
    return testing::WaitGauntlet(pid, out, err);
  }
  fs::path dir, out, err;
  pid_t pid = -1;
  int pidfd = -1;
  bool waited = false;
};

std::vector<std::string> ConcRunArgs(const std::string& file, const std::string& who) {
  return {"run", file, "--state-dir", ".gauntlet-" + who, "--input", "who=" + who, "--json"};
}

std::string ConcLogOf(Workspace& ws, const std::string& state_dir, const std::string& job) {
  auto r = ws.Run({"logs", job, "--state-dir", state_dir});
  EXPECT_EQ(r.code, 0) << r.err;
  return r.out;
}

// The events in order, one a line.
std::vector<std::string> EventLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(GhaConcurrencyTest, JobsOfOneGroupInARunRunOneAfterTheOther) {
  Workspace ws;
  const std::string file = InstallConcurrency(ws, "concurrency.yml");
  Events events(ws.dir() / "events");
  Gate gate(ws.dir() / "gate");
  ConcEngine engine(ws, "run", {"run", file, "-j", "8"});
  ASSERT_TRUE(events.WaitFor("start ", 1, std::chrono::seconds(30))) << events.text();
  // The other job is ready too (no needs, -j 8): it waits for the group, not started.
  ASSERT_TRUE(WaitForWaitingJob(ws.dir() / ".gauntlet" / "concurrency", std::chrono::seconds(30)));
  events.Drain();
  EXPECT_EQ(events.Count("start "), 1) << events.text();
  gate.Open();
  auto r = engine.Wait();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  events.Drain();
  EXPECT_EQ(events.Count("end "), 2) << events.text();
  EXPECT_EQ(events.MostAtOnce(), 1) << events.text();
  auto lines = EventLines(events.text());
  ASSERT_EQ(lines.size(), 4u) << events.text();
  const std::string first = lines[0].substr(6), second = lines[2].substr(6);
  EXPECT_EQ(lines[1], "end " + first);
  EXPECT_EQ(lines[3], "end " + second);
  auto logs = ws.Run({"logs", second});
  EXPECT_THAT(logs.out, HasSubstr("gauntlet: concurrency group 'deploy-Concurrency': waited for "
                                  "run 1, job " + first));

  auto plan = ws.Run({"plan", file, "--json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  json job = json::parse(plan.out)["jobs"][0];
  EXPECT_EQ(job["concurrency"]["group"], "deploy-${{ github.workflow }}");
  EXPECT_EQ(job["concurrency"]["cancel_in_progress"], false);
}

// Engines of one repository with state directories of their own meet in its groups.
class GhaConcurrencyAcrossEnginesTest : public ::testing::Test {
 protected:
  GhaConcurrencyAcrossEnginesTest() : repo_(ws_.dir().string()) {}
  fs::path GroupsDir() const { return ws_.dir() / ".git" / "gauntlet" / "concurrency"; }

  Workspace ws_;
  vcs::TestRepo repo_;
};

TEST_F(GhaConcurrencyAcrossEnginesTest, AJobWaitsForTheGroupHeldByAnotherEngine) {
  const std::string file = InstallConcurrency(ws_, "concurrency_deploy.yml");
  Events events(ws_.dir() / "events");
  Gate gate(ws_.dir() / "gate");
  ConcEngine a(ws_, "a", ConcRunArgs(file, "a"));
  ASSERT_TRUE(events.WaitFor("start a", 1, std::chrono::seconds(30))) << events.text();
  ConcEngine b(ws_, "b", ConcRunArgs(file, "b"));
  ASSERT_TRUE(WaitForWaitingJob(GroupsDir(), std::chrono::seconds(30)));
  events.Drain();
  EXPECT_EQ(events.Count("start "), 1) << events.text();
  gate.Open();
  auto ra = a.Wait();
  auto rb = b.Wait();
  EXPECT_EQ(ra.code, 0) << ra.out << ra.err;
  EXPECT_EQ(rb.code, 0) << rb.out << rb.err;
  events.Drain();
  EXPECT_EQ(EventLines(events.text()),
            (std::vector<std::string>{"start a", "end a", "start b", "end b"}));
  EXPECT_THAT(ConcLogOf(ws_, ".gauntlet-b", "deploy"),
              HasSubstr("concurrency group 'production': waited for run 1, job deploy"));
}

TEST_F(GhaConcurrencyAcrossEnginesTest, ANewerWaitingJobReplacesTheOlder) {
  const std::string file = InstallConcurrency(ws_, "concurrency_deploy.yml");
  Events events(ws_.dir() / "events");
  Gate gate(ws_.dir() / "gate");
  ConcEngine a(ws_, "a", ConcRunArgs(file, "a"));
  ASSERT_TRUE(events.WaitFor("start a", 1, std::chrono::seconds(30))) << events.text();
  ConcEngine b(ws_, "b", ConcRunArgs(file, "b"));
  ASSERT_TRUE(WaitForWaitingJob(GroupsDir(), std::chrono::seconds(30)));
  ConcEngine c(ws_, "c", ConcRunArgs(file, "c"));
  // b's job never starts: c took its place, and b's run ends while a still holds the gate.
  ASSERT_TRUE(b.Exited(std::chrono::seconds(30)));
  auto rb = b.Wait();
  EXPECT_EQ(rb.code, 130) << rb.out << rb.err;
  auto jobs = testing::JobStatuses(rb);
  EXPECT_EQ(jobs["deploy"], "cancelled");
  EXPECT_THAT(rb.out, HasSubstr("a newer job of its concurrency group 'production' took its place"));
  gate.Open();
  auto ra = a.Wait();
  auto rc = c.Wait();
  EXPECT_EQ(ra.code, 0) << ra.out << ra.err;
  EXPECT_EQ(rc.code, 0) << rc.out << rc.err;
  events.Drain();
  EXPECT_EQ(EventLines(events.text()),
            (std::vector<std::string>{"start a", "end a", "start c", "end c"}));
}

TEST_F(GhaConcurrencyAcrossEnginesTest, CancelInProgressCancelsTheRunningJob) {
  const std::string file = InstallConcurrency(ws_, "concurrency_deploy.yml",
                                              "cancel-in-progress: false",
                                              "cancel-in-progress: true");
  Events events(ws_.dir() / "events");
  Gate gate(ws_.dir() / "gate");
  ConcEngine a(ws_, "a", ConcRunArgs(file, "a"));
  ASSERT_TRUE(events.WaitFor("start a", 1, std::chrono::seconds(30))) << events.text();
  ConcEngine b(ws_, "b", ConcRunArgs(file, "b"));
  // a's job is stopped while it waits at the shut gate; then b's job runs.
  ASSERT_TRUE(a.Exited(std::chrono::seconds(30)));
  auto ra = a.Wait();
  EXPECT_EQ(ra.code, 130) << ra.out << ra.err;
  EXPECT_EQ(testing::JobStatuses(ra)["deploy"], "cancelled");
  EXPECT_THAT(ra.out, HasSubstr("cancelled by a newer job of its concurrency group "
                                "'production' (cancel-in-progress)"));
  ASSERT_TRUE(events.WaitFor("start b", 1, std::chrono::seconds(30))) << events.text();
  gate.Open();
  auto rb = b.Wait();
  EXPECT_EQ(rb.code, 0) << rb.out << rb.err;
  events.Drain();
  EXPECT_EQ(events.Count("end a"), 0) << events.text();
  EXPECT_EQ(events.Count("end b"), 1) << events.text();
}

TEST_F(GhaConcurrencyAcrossEnginesTest, AKilledHolderFreesTheGroup) {
  const std::string file = InstallConcurrency(ws_, "concurrency_deploy.yml");
  Events events(ws_.dir() / "events");
  Gate gate(ws_.dir() / "gate");
  ConcEngine a(ws_, "a", ConcRunArgs(file, "a"));
  ASSERT_TRUE(events.WaitFor("start a", 1, std::chrono::seconds(30))) << events.text();
  ConcEngine b(ws_, "b", ConcRunArgs(file, "b"));
  ASSERT_TRUE(WaitForWaitingJob(GroupsDir(), std::chrono::seconds(30)));
  ASSERT_EQ(kill(a.pid, SIGKILL), 0);
  a.Wait();
  // a's job process outlives its engine (it still waits at the gate), but the group went
  // with the engine: b's job starts.
  ASSERT_TRUE(events.WaitFor("start b", 1, std::chrono::seconds(30))) << events.text();
  gate.Open();
  auto rb = b.Wait();
  EXPECT_EQ(rb.code, 0) << rb.out << rb.err;
  // a's orphaned job ends too once the gate is open (it writes "end a").
  EXPECT_TRUE(events.WaitFor("end ", 2, std::chrono::seconds(30))) << events.text();
}

}  // namespace
}  // namespace gauntlet
