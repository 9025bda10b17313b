// End-to-end: the real `gauntlet` binary reading run history (runs, status, logs,
// cancel) from a state directory prepared in a temp dir through the real
// SqliteStore and LogWriter, as `gauntlet run` writes it, so every case (a dead engine,
// a torn log, an engine that exits without recording) can be made exactly. The same
// commands against a real running `gauntlet run`: tests/cli_live_test.cc.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_test_util.h"

#include "store/log_store.h"
#include "store/sqlite_store.h"
#include "store/store.h"

extern char** environ;

namespace gauntlet {
namespace {

namespace fs = std::filesystem;
using store::JobStatus;
using store::RunStatus;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

using testing::Output;
using testing::ReadFile;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A pid that is certainly not alive: a child that exited and was reaped.
int64_t DeadPid() {
  pid_t pid = 0;
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv, environ), 0);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return pid;
}

class CliHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "gauntlet-hist-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    state_ = dir_ / ".gauntlet";
    auto s = store::SqliteStore::Open((state_ / "state.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s.value());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string logs_dir() const { return (state_ / "logs").string(); }

  store::RunId AddRun(RunStatus status, const std::string& branch, int64_t engine_pid,
                      const std::string& pipeline = "demo") {
    store::RunRecord r;
    r.pipeline = pipeline;
    r.file = (dir_ / "gauntlet.yml").string();
    r.status = status;
    r.started_ms = NowMs() - 65'000;
    if (status != RunStatus::kRunning) r.finished_ms = r.started_ms + 3'500;
    r.git_commit = "0123456789abcdef0123456789abcdef01234567";
    r.git_branch = branch;
    r.author_name = "Ada";
    r.author_email = "ada@example.com";
    r.subject = "Make it fast";
    r.trailers = {{"Task-ID", "42"}, {"Agent-By", "bot"}};
    r.engine_pid = engine_pid;
    r.engine_host = store::HostName();
    if (status == RunStatus::kFailed) r.reason = "job 'unit (python=3.12)' failed";
    auto id = store_->CreateRun(r);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  void AddJob(store::RunId run, int index, const std::string& name, JobStatus status,
              std::vector<store::AttemptRecord> attempts = {}, store::Outputs outputs = {},
              const std::string& reason = "") {
    store::JobRecord j;
    j.run_id = run;
    j.index = index;
    j.name = name;
    j.status = status;
    j.reason = reason;
    j.started_ms = status == JobStatus::kPending ? 0 : NowMs() - 2'000;
    j.finished_ms = status == JobStatus::kPending || status == JobStatus::kRunning ? 0 : NowMs();
    j.attempts = static_cast<int>(attempts.size());
    j.outputs = std::move(outputs);
    ASSERT_TRUE(store_->UpsertJob(j).ok());
    for (auto a : attempts) {
      a.run_id = run;
      a.job_index = index;
      ASSERT_TRUE(store_->AttemptFinished(a).ok());
    }
  }

  static store::AttemptRecord Attempt(int number, int exit_code, int signal = 0) {
    store::AttemptRecord a;
    a.number = number;
    a.exit_code = exit_code;
    a.signal = signal;
    a.wall_ms = 1234;
    a.user_cpu_ms = 800;
    a.sys_cpu_ms = 120;
    a.max_rss_kb = 5120;
    return a;
  }

  // A finished run of four jobs with logs: build, two matrix jobs of unit (the
  // 3.12 one failing), and flaky (succeeded on its second attempt).
  store::RunId AddFinishedRun() {
    store::RunId id = AddRun(RunStatus::kFailed, "main", DeadPid());
    AddJob(id, 0, "build", JobStatus::kSuccess, {Attempt(1, 0)}, {{"version", "1.2.3"}});
    AddJob(id, 1, "unit (python=3.11)", JobStatus::kSuccess, {Attempt(1, 0)});
    AddJob(id, 2, "unit (python=3.12)", JobStatus::kFailed, {Attempt(1, 2)}, {}, "exit code 2");
    AddJob(id, 3, "flaky", JobStatus::kSuccess, {Attempt(1, -1, SIGKILL), Attempt(2, 0)});
    auto w = store::LogWriter::Open(logs_dir(), id);
    EXPECT_TRUE(w.ok());
    auto& log = *w.value();
    EXPECT_TRUE(log.Append(0, 1, "compiling\n").ok());  // two adjacent frames
    EXPECT_TRUE(log.Append(0, 1, "linked\n").ok());
    EXPECT_TRUE(log.Append(1, 1, "311 ok").ok());  // a line split across two frames
    EXPECT_TRUE(log.Append(2, 1, "312 FAILED\n").ok());
    EXPECT_TRUE(log.Append(1, 1, " done\n").ok());
    EXPECT_TRUE(log.Append(3, 1, "flaky try 1\n").ok());
    EXPECT_TRUE(log.Append(3, 2, "flaky try 2\n").ok());
    EXPECT_TRUE(log.Close().ok());
    return id;
  }

  std::vector<std::string> Argv(std::vector<std::string> args) {
    args.insert(args.begin(), GAUNTLET_BINARY);
    return args;
  }

  // Runs the binary to completion in `cwd` (default: the temp dir).
  Output Run(std::vector<std::string> args, const fs::path& cwd = {}) {
    fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    return testing::WaitGauntlet(
        testing::SpawnGauntlet(std::move(args), cwd.empty() ? dir_ : cwd, out, err), out, err);
  }

  Json RunJson(std::vector<std::string> args) {
    args.push_back("--json");
    Output o = Run(args);
    EXPECT_EQ(o.code, 0) << o.err;
    Json j = Json::parse(o.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << o.out;
    return j;
  }

  fs::path dir_, state_;
  std::unique_ptr<store::SqliteStore> store_;
};

std::vector<int64_t> Ids(const Json& runs) {
  std::vector<int64_t> ids;
  for (const auto& r : runs) ids.push_back(r["id"].get<int64_t>());
  return ids;
}

TEST_F(CliHistoryTest, HelpDescribesEachCommand) {
  for (const char* cmd : {"runs", "status", "logs", "cancel"}) {
    Output o = Run({cmd, "--help"});
    EXPECT_EQ(o.code, 0) << cmd;
    EXPECT_THAT(o.out, HasSubstr("Exit codes")) << cmd;
    EXPECT_THAT(o.out, HasSubstr("--json")) << cmd;
  }
  EXPECT_THAT(Run({"--help"}).out, HasSubstr("cancel"));
}

TEST_F(CliHistoryTest, NoHistoryIsNotFound) {
  fs::path empty = dir_ / "empty";
  fs::create_directories(empty);
  Output o = Run({"runs", "--state-dir", empty.string()});
  EXPECT_EQ(o.code, 3);
  EXPECT_THAT(o.err, HasSubstr("no run history"));
}

TEST_F(CliHistoryTest, RunsListsNewestFirstWithInterruptedAndFilters) {
  store::RunId a = AddRun(RunStatus::kSuccess, "main", DeadPid());
  store::RunId b = AddRun(RunStatus::kFailed, "feature/x", DeadPid());
  store::RunId c = AddRun(RunStatus::kRunning, "main", DeadPid());          // engine gone
  store::RunId d = AddRun(RunStatus::kRunning, "main", getpid(), "other");  // alive

  Output o = Run({"runs"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("0123456789 "));  // the commit, short
  EXPECT_THAT(o.out, HasSubstr("feature/x"));
  EXPECT_THAT(o.out, HasSubstr("interrupted"));
  EXPECT_THAT(o.out, HasSubstr("1m0"));                     // 65 s of a running run
  EXPECT_LT(o.out.find("other"), o.out.find("feature/x"));  // newest first

  Json all = RunJson({"runs"});
  EXPECT_EQ(Ids(all), (std::vector<int64_t>{d, c, b, a}));
  EXPECT_EQ(all[0]["status"], "running");
  EXPECT_EQ(all[1]["status"], "interrupted");
  EXPECT_EQ(all[1]["recorded_status"], "running");  // a read command writes nothing
  EXPECT_EQ(all[3]["duration_ms"], 3500);
  EXPECT_EQ(all[3]["git"]["trailers"][0]["key"], "Task-ID");

  EXPECT_EQ(Ids(RunJson({"runs", "--status", "interrupted"})), (std::vector<int64_t>{c}));
  EXPECT_EQ(Ids(RunJson({"runs", "--status", "running"})), (std::vector<int64_t>{d}));
  EXPECT_EQ(Ids(RunJson({"runs", "--branch", "feature/x"})), (std::vector<int64_t>{b}));
  EXPECT_EQ(Ids(RunJson({"runs", "--pipeline", "other"})), (std::vector<int64_t>{d}));
  EXPECT_EQ(Ids(RunJson({"runs", "--limit", "2"})), (std::vector<int64_t>{d, c}));
  EXPECT_EQ(Run({"runs", "--status", "bogus"}).code, 2);

  // Found from a subdirectory, like git finds .git.
  fs::create_directories(dir_ / "sub" / "deeper");
  Output sub = Run({"runs", "--json"}, dir_ / "sub" / "deeper");
  EXPECT_EQ(sub.code, 0) << sub.err;
  EXPECT_EQ(Ids(Json::parse(sub.out)).size(), 4u);
}

TEST_F(CliHistoryTest, StatusShowsHeaderJobsAndAttempts) {
  store::RunId id = AddFinishedRun();
  Output o = Run({"status"});  // latest
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("run " + std::to_string(id) + "  demo  failed"));
  EXPECT_THAT(o.out, HasSubstr("job 'unit (python=3.12)' failed"));
  EXPECT_THAT(o.out, HasSubstr("0123456789abcdef0123456789abcdef01234567 (main)"));
  EXPECT_THAT(o.out, HasSubstr("Ada <ada@example.com>"));
  EXPECT_THAT(o.out, HasSubstr("Task-ID: 42"));
  EXPECT_THAT(o.out, HasSubstr("3.5s"));
  EXPECT_THAT(o.out, HasSubstr("exit 2"));
  EXPECT_THAT(o.out, HasSubstr("exit code 2"));
  // The flaky job's last attempt succeeded; its first was killed.
  EXPECT_THAT(o.out, Not(HasSubstr("signal 9")));

  Json j = RunJson({"status", std::to_string(id)});
  EXPECT_EQ(j["status"], "failed");
  ASSERT_EQ(j["jobs"].size(), 4u);
  EXPECT_EQ(j["jobs"][0]["outputs"]["version"], "1.2.3");
  EXPECT_EQ(j["jobs"][2]["attempts"][0]["exit_code"], 2);
  const Json& flaky = j["jobs"][3]["attempts"];
  ASSERT_EQ(flaky.size(), 2u);
  EXPECT_EQ(flaky[0]["signal"], SIGKILL);
  EXPECT_EQ(flaky[1]["user_cpu_ms"], 800);
  EXPECT_EQ(flaky[1]["sys_cpu_ms"], 120);
  EXPECT_EQ(flaky[1]["max_rss_kb"], 5120);
  EXPECT_EQ(flaky[1]["wall_ms"], 1234);

  EXPECT_EQ(Run({"status", "999"}).code, 3);
  EXPECT_EQ(Run({"status", "nope"}).code, 2);
}

TEST_F(CliHistoryTest, StatusOfKilledJobShowsSignal) {
  store::RunId id = AddRun(RunStatus::kFailed, "main", DeadPid());
  AddJob(id, 0, "hang", JobStatus::kFailed, {Attempt(1, -1, SIGKILL)}, {}, "timed out");
  Output o = Run({"status", std::to_string(id)});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("signal 9 (KILL)"));
}

TEST_F(CliHistoryTest, LogsOfAllJobsArePrefixedLinesInFileOrder) {
  store::RunId id = AddFinishedRun();
  Output o = Run({"logs"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out,
            "[build] compiling\n"
            "[build] linked\n"
            "[unit (python=3.12)] 312 FAILED\n"
            "[unit (python=3.11)] 311 ok done\n"
            "[flaky] flaky try 1\n"
            "[flaky] flaky try 2\n");

  // One concrete job: its output as written.
  EXPECT_EQ(Run({"logs", std::to_string(id), "build"}).out, "compiling\nlinked\n");
  // A lone job name means the latest run.
  EXPECT_EQ(Run({"logs", "unit (python=3.11)"}).out, "311 ok done\n");
  // A spec name: each of its matrix jobs, prefixed.
  EXPECT_EQ(Run({"logs", std::to_string(id), "unit"}).out,
            "[unit (python=3.12)] 312 FAILED\n[unit (python=3.11)] 311 ok done\n");
  EXPECT_EQ(Run({"logs", "latest", "flaky", "--attempt", "2"}).out, "flaky try 2\n");

  Output missing = Run({"logs", std::to_string(id), "nosuch"});
  EXPECT_EQ(missing.code, 3);
  EXPECT_THAT(missing.err, HasSubstr("build"));  // says which jobs exist

  Json j = RunJson({"logs", std::to_string(id)});
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 6u);  // build's frames merge; 3.11's are not adjacent
  EXPECT_EQ(j[0], (Json{{"job", "build"}, {"attempt", 1}, {"text", "compiling\nlinked\n"}}));
  EXPECT_EQ(j[1]["job"], "unit (python=3.11)");
  EXPECT_EQ(j[1]["text"], "311 ok");
  EXPECT_EQ(j[5], (Json{{"job", "flaky"}, {"attempt", 2}, {"text", "flaky try 2\n"}}));

  EXPECT_EQ(Run({"logs", "-f", "--json"}).code, 2);
}

using testing::ReadUntil;

TEST_F(CliHistoryTest, LogsFollowPrintsALiveRunUntilItFinishes) {
  // This test process plays the engine: alive, on this host.
  store::RunId id = AddRun(RunStatus::kRunning, "main", getpid());
  AddJob(id, 0, "build", JobStatus::kRunning);
  AddJob(id, 1, "test", JobStatus::kPending);
  auto w = store::LogWriter::Open(logs_dir(), id);
  ASSERT_TRUE(w.ok());
  store::LogWriter& log = *w.value();
  ASSERT_TRUE(log.Append(0, 1, "chunk-1\n").ok());
  ASSERT_TRUE(log.Flush().ok());

  int pipefd[2];
  ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0);
  std::vector<std::string> args = Argv({"logs", "-f", "--state-dir", state_.string()});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[1]);

  // Lock-step with the follower: each chunk is written only after the follower
  // printed the previous one, so it really follows a live log.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string out;
  EXPECT_TRUE(ReadUntil(pipefd[0], &out, "[build] chunk-1\n", deadline)) << out;
  ASSERT_TRUE(log.Append(0, 1, "chunk-2\n").ok());
  ASSERT_TRUE(log.Flush().ok());
  EXPECT_TRUE(ReadUntil(pipefd[0], &out, "[build] chunk-2\n", deadline)) << out;
  ASSERT_TRUE(log.Append(1, 1, "chunk-3 without newline").ok());
  ASSERT_TRUE(log.Flush().ok());
  ASSERT_TRUE(store_->JobFinished(id, 0, "build", JobStatus::kSuccess, NowMs(), {}, "").ok());
  ASSERT_TRUE(store_->JobFinished(id, 1, "test", JobStatus::kSuccess, NowMs(), {}, "").ok());
  ASSERT_TRUE(log.Close().ok());
  auto run = store_->GetRun(id);
  ASSERT_TRUE(run.ok() && run->has_value());
  store::RunRecord r = **run;
  r.status = RunStatus::kSuccess;
  r.finished_ms = NowMs();
  ASSERT_TRUE(store_->UpdateRun(r).ok());

  // The follower exits by itself: its stdout reaches EOF before the deadline.
  EXPECT_FALSE(ReadUntil(pipefd[0], &out, "<never printed>", deadline)) << "not finished";
  close(pipefd[0]);
  EXPECT_EQ(out, "[build] chunk-1\n[build] chunk-2\n[test] chunk-3 without newline\n");
  if (std::chrono::steady_clock::now() >= deadline) kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(CliHistoryTest, LogsFollowStopsWhenTheEngineIsGone) {
  // A run left 'running' by a dead engine: -f prints what there is and returns.
  store::RunId id = AddRun(RunStatus::kRunning, "main", DeadPid());
  AddJob(id, 0, "build", JobStatus::kRunning);
  auto w = store::LogWriter::Open(logs_dir(), id);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w.value()->Append(0, 1, "partial\n").ok());
  ASSERT_TRUE(w.value()->Flush().ok());  // never closed: the engine "crashed"
  Output o = Run({"logs", "-f", "build"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "partial\n");
}

TEST_F(CliHistoryTest, CancelOfADeadEngineMarksTheRunCancelled) {
  store::RunId id = AddRun(RunStatus::kRunning, "main", DeadPid());
  AddJob(id, 0, "build", JobStatus::kSuccess, {Attempt(1, 0)}, {{"k", "v"}});
  AddJob(id, 1, "unit", JobStatus::kRunning);
  AddJob(id, 2, "deploy", JobStatus::kPending);

  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const int64_t before_ms = now_ms();
  Json j = RunJson({"cancel"});  // the latest running run
  const int64_t after_ms = now_ms();
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["status"], "cancelled");
  EXPECT_EQ(j["reason"], "cancelled after the engine died");
  EXPECT_EQ(j["action"], "marked");

  Json st = RunJson({"status", std::to_string(id)});
  EXPECT_EQ(st["status"], "cancelled");
  EXPECT_GE(st["finished_ms"].get<int64_t>(), before_ms) << "finished when cancelled";
  EXPECT_LE(st["finished_ms"].get<int64_t>(), after_ms);
  EXPECT_EQ(st["jobs"][0]["status"], "success");
  EXPECT_EQ(st["jobs"][0]["outputs"]["k"], "v");
  EXPECT_EQ(st["jobs"][1]["status"], "cancelled");
  EXPECT_EQ(st["jobs"][2]["status"], "cancelled");

  // Again: nothing running any more, and the cancelled run stays cancelled.
  EXPECT_EQ(Run({"cancel"}).code, 3);
  Json again = RunJson({"cancel", std::to_string(id)});
  EXPECT_EQ(again["status"], "cancelled");
  EXPECT_EQ(again["action"], "none") << again.dump();
  EXPECT_EQ(RunJson({"status", std::to_string(id)})["finished_ms"], st["finished_ms"])
      << "a second cancel changes nothing";
}

TEST_F(CliHistoryTest, CancelSignalsALiveEngineAndWaitsForIt) {
  // A fake engine: a process of our own that dies of SIGTERM. It cannot record
  // the cancellation itself, so cancel sees it exit with the run still
  // 'running' and records the end (a real engine records 'cancelled' first).
  pid_t engine = 0;
  char* argv[] = {const_cast<char*>("/bin/sleep"), const_cast<char*>("1000"), nullptr};
  ASSERT_EQ(posix_spawn(&engine, argv[0], nullptr, nullptr, argv, environ), 0);
  store::RunId id = AddRun(RunStatus::kRunning, "main", engine);
  AddJob(id, 0, "build", JobStatus::kRunning);

  Output o = Run({"cancel", std::to_string(id), "--json"});
  int status = 0;
  if (o.code != 0) kill(engine, SIGKILL);
  ASSERT_EQ(waitpid(engine, &status, 0), engine);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  ASSERT_EQ(o.code, 0) << o.err;
  Json j = Json::parse(o.out);
  EXPECT_EQ(j["status"], "cancelled");
  EXPECT_EQ(j["action"], "marked");
  EXPECT_THAT(j["reason"].get<std::string>(), HasSubstr("engine exited without recording"));
  EXPECT_EQ(RunJson({"status", std::to_string(id)})["jobs"][0]["status"], "cancelled");
}

TEST_F(CliHistoryTest, CancelRefusesOtherHostsAndFinishedRuns) {
  store::RunRecord r;
  r.pipeline = "demo";
  r.status = RunStatus::kRunning;
  r.engine_pid = 1;
  r.engine_host = "elsewhere.example";
  auto remote = store_->CreateRun(r);
  ASSERT_TRUE(remote.ok());
  Output o = Run({"cancel", std::to_string(*remote)});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("elsewhere.example"));
  EXPECT_EQ(RunJson({"status", std::to_string(*remote)})["status"], "running");

  store::RunId done = AddRun(RunStatus::kSuccess, "main", DeadPid());
  Output d = Run({"cancel", std::to_string(done)});
  EXPECT_EQ(d.code, 1);
  EXPECT_THAT(d.err, HasSubstr("not running"));
  EXPECT_EQ(Run({"cancel", "424242"}).code, 3);

  // Recorded as interrupted (by --resume's check): cancelling gives up on it.
  store::RunId interrupted = AddRun(RunStatus::kInterrupted, "main", DeadPid());
  AddJob(interrupted, 0, "build", JobStatus::kRunning);
  EXPECT_EQ(Run({"cancel", std::to_string(interrupted)}).code, 0);
  Json st = RunJson({"status", std::to_string(interrupted)});
  EXPECT_EQ(st["status"], "cancelled");
  EXPECT_EQ(st["jobs"][0]["status"], "cancelled");
}

}  // namespace
}  // namespace gauntlet
