// End to end: one engine at a time per workspace, one resumer per run, and nothing a
// killed engine left running alive when its run continues. The real binary, real
// processes (grandchildren, setsid children), a real SQLite store.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "cli_test_util.h"

namespace gauntlet {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::Signal;
using testing::Workspace;
namespace fs = std::filesystem;

// Whether `pid` is gone within 10 s (a pidfd: it need not be our child).
bool Gone(pid_t pid) {
  int fd = testing::OpenPidFd(pid);
  if (fd < 0) return errno == ESRCH;
  bool exited = testing::WaitExited(fd, std::chrono::seconds(10));
  close(fd);
  return exited;
}

bool Alive(pid_t pid) {
  int fd = testing::OpenPidFd(pid);
  if (fd < 0) return false;
  bool exited = testing::WaitExited(fd, std::chrono::milliseconds(0));
  close(fd);
  return !exited;
}

std::vector<pid_t> Pids(const fs::path& file) {
  std::vector<pid_t> out;
  std::istringstream in(ReadFile(file));
  for (pid_t p; in >> p;) out.push_back(p);
  return out;
}

// Whether `pid` shows up, within 30 s, as waiting for a flock in /proc/locks
// ("1: -> FLOCK  ADVISORY  WRITE <pid> ..."). There is no event to wait on for that: the
// check is repeated, yielding, against a deadline.
bool BlockedOnALock(pid_t pid) {
  const std::string needle = " " + std::to_string(pid) + " ";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream locks(ReadFile("/proc/locks"));
    for (std::string line; std::getline(locks, line);) {
      if (line.find("->") != std::string::npos && line.find("FLOCK") != std::string::npos &&
          line.find(needle) != std::string::npos)
        return true;
    }
    std::this_thread::yield();
  }
  return false;
}

TEST(CliEngineTest, ASecondRunInTheWorkspaceIsRefusedOrWaits) {
  Workspace ws;
  Signal reached(ws.dir() / "reached");
  mkfifo((ws.dir() / "blocker").c_str(), 0600);
  ws.Write("gauntlet.yml", R"YML(name: one-at-a-time
jobs:
  a:
    commands:
      - echo ran >> a.count
      - if [ ! -e released ]; then echo up > reached; cat blocker > /dev/null; fi
)YML");
  pid_t first = ws.Start({"run"});
  ASSERT_EQ(reached.Wait(), "up");
  auto refused = ws.Run({"run", "--json"});
  EXPECT_EQ(refused.code, 6) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("another engine is running jobs with"));
  EXPECT_THAT(refused.err, HasSubstr("run 1, pid " + std::to_string(first)));
  EXPECT_EQ(ReadFile(ws.dir() / "a.count"), "ran\n") << "the refused run started a job";

  ws.Write("released", "");
  pid_t waiter = ws.Start({"run", "--wait"});
  // Let the first run go only once the waiter is blocked on the lock (the kernel lists
  // the blocked request in /proc/locks): it must wait, not find the lock free.
  ASSERT_TRUE(BlockedOnALock(waiter)) << "the --wait run never waited";
  std::ofstream(ws.dir() / "blocker") << "go\n";
  auto waited = ws.Wait(waiter);
  EXPECT_EQ(waited.code, 0) << waited.err;
  EXPECT_THAT(waited.err, HasSubstr("waiting for run 1, pid " + std::to_string(first)));
  EXPECT_EQ(testing::WaitGauntlet(first, ws.dir() / ".stdout1", ws.dir() / ".stderr1").code, 0);
  EXPECT_EQ(ReadFile(ws.dir() / "a.count"), "ran\nran\n");
}

// Starts `gauntlet run`, waits for its job to say it got there, SIGKILLs the engine and
// reaps it: what the job started is left running, as after a crash.
void RunAndKillTheEngine(Workspace& ws, Signal& reached) {
  pid_t engine = ws.Start({"run"});
  ASSERT_EQ(reached.Wait(), "up") << "the job never got there";
  ASSERT_EQ(kill(engine, SIGKILL), 0);
  EXPECT_EQ(ws.Wait(engine).code, 128 + SIGKILL);
}

// The engine is SIGKILLed while a job runs that has a grandchild and a setsid'd child:
// all three outlive it (none writes to the job's output, whose reader is gone). The resume kills them before anything starts.
TEST(CliEngineTest, ResumeKillsWhatTheKilledEngineLeftRunning) {
  Workspace ws;
  Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml", R"YML(name: orphans
jobs:
  first: { run: "echo ran >> first.count" }
  second:
    needs: [first]
    commands:
      - |
        if [ -e pids ]; then
          # Alive: not gone and not a zombie waiting for init to reap it.
          for p in $(cat pids); do
            if grep -qs '^State:.[^Z]' "/proc/$p/status"; then echo "alive $p" >> survivors; fi
          done
          exit 0
        fi
      - (exec sleep 1000) & echo $! >> pids
      - setsid tail -f /dev/null </dev/null >/dev/null 2>&1 & echo $! >> pids
      - echo $$ >> pids
      - echo up > reached
      - wait
)YML");
  ASSERT_NO_FATAL_FAILURE(RunAndKillTheEngine(ws, reached));
  const std::vector<pid_t> left = Pids(ws.dir() / "pids");
  ASSERT_EQ(left.size(), 3u);
  for (pid_t p : left) EXPECT_TRUE(Alive(p)) << p << " died with the engine after all";

  auto r = ws.Run({"run", "--resume", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("killed 3 process(es) left running by an earlier engine"));
  EXPECT_FALSE(fs::exists(ws.dir() / "survivors")) << ReadFile(ws.dir() / "survivors");
  for (pid_t p : left) EXPECT_TRUE(Gone(p)) << p;
  EXPECT_EQ(ReadFile(ws.dir() / "first.count"), "ran\n");
}

TEST(CliEngineTest, CancellingAnInterruptedRunKillsItsLeftovers) {
  Workspace ws;
  Signal reached(ws.dir() / "reached");
  ws.Write("gauntlet.yml", R"YML(name: cancel-leftovers
jobs:
  a:
    commands:
      - setsid tail -f /dev/null </dev/null >/dev/null 2>&1 & echo $! > pid
      - echo up > reached
      - wait
)YML");
  ASSERT_NO_FATAL_FAILURE(RunAndKillTheEngine(ws, reached));
  pid_t escaped = Pids(ws.dir() / "pid").at(0);
  EXPECT_TRUE(Alive(escaped));
  auto r = ws.Run({"cancel", "1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Gone(escaped));
}

TEST(CliEngineTest, AResumeOfARunBeingResumedIsRefusedNamingTheHolder) {
  Workspace ws;
  Signal reached(ws.dir() / "reached");
  mkfifo((ws.dir() / "blocker").c_str(), 0600);
  ws.Write("gauntlet.yml", R"YML(name: resume-twice
jobs:
  a:
    commands:
      - echo ran >> a.count
      - echo up > reached
      - if [ -e second ]; then cat blocker > /dev/null; else tail -f /dev/null; fi
)YML");
  ASSERT_NO_FATAL_FAILURE(RunAndKillTheEngine(ws, reached));
  ws.Write("second", "");
  pid_t resumer = ws.Start({"run", "--resume"});
  ASSERT_EQ(reached.Wait(), "up");
  auto refused = ws.Run({"run", "--resume"});
  EXPECT_EQ(refused.code, 6) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr(std::to_string(resumer)));
  std::ofstream(ws.dir() / "blocker") << "go\n";
  EXPECT_EQ(testing::WaitGauntlet(resumer, ws.dir() / ".stdout2", ws.dir() / ".stderr2").code, 0);
  EXPECT_EQ(ReadFile(ws.dir() / "a.count"), "ran\nran\n");
}

// Reads the lines jobs write into a FIFO the test keeps open (so writers never block
// for want of a reader), waiting for each with a deadline.
class EventPipe {
 public:
  explicit EventPipe(const fs::path& path) {
    mkfifo(path.c_str(), 0600);
    fd_ = open(path.c_str(), O_RDWR | O_NONBLOCK);  // RDWR: never sees EOF between writers
  }
  ~EventPipe() { close(fd_); }
  // The next line, or "" at the deadline.
  std::string Next(std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (buf_.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char b[4096];
      ssize_t n = read(fd_, b, sizeof b);
      if (n > 0) buf_.append(b, static_cast<size_t>(n));
    }
    std::string line = buf_.substr(0, buf_.find('\n'));
    buf_.erase(0, line.size() + 1);
    return line;
  }
  void Drain() {
    char b[4096];
    while (read(fd_, b, sizeof b) > 0) {
    }
    buf_.clear();
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

std::set<std::string> CommittedSuccesses(const fs::path& db) {
  std::set<std::string> out;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "SELECT name FROM jobs WHERE run_id=1 AND status='success'", -1, &st,
                     nullptr);
  while (st && sqlite3_step(st) == SQLITE_ROW)
    out.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

std::string IntegrityCheck(const fs::path& db) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string result = "no answer";
  if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return result;
}

// SIGKILLs the engine at random points of a run whose jobs start grandchildren and
// setsid'd children, resuming after each kill. Each job holds a lock for as long as any
// of its processes lives: a second copy of a job running while the first still does
// records the overlap. Never an overlap, never a committed success run again, never a
// damaged store, and the last resume finishes.
TEST(CliEngineTest, SigkillAtRandomPointsNeverRunsAJobTwiceAtOnce) {
  constexpr int kJobs = 40;
  constexpr int kKills = 6;
  Workspace ws;
  EventPipe events(ws.dir() / "events");
  std::mt19937 rng(20241206);
  std::string yml = "name: kills\njobs:\n";
  for (int i = 0; i < kJobs; ++i) {
    yml += "  j" + std::to_string(i) + ":\n";
    if (i > 0) yml += "    needs: [j" + std::to_string(rng() % i) + "]\n";
    yml += "    run: ./job.sh\n";
  }
  ws.Write("gauntlet.yml", yml);
  ws.Write("job.sh", R"SH(#!/bin/sh
# The lock is held by every process that inherits fd 9: the job, its grandchild and
# its setsid'd child. A copy of the job that finds it taken records an overlap.
exec 9> "locks/$GAUNTLET_JOB"
flock -n 9 || echo "$GAUNTLET_JOB" >> overlaps
echo "start $GAUNTLET_JOB" > events
(sleep 0.05) &
setsid sh -c 'sleep 0.08' </dev/null >/dev/null 2>&1 &
sleep 0.02
wait
echo "$GAUNTLET_JOB" >> done.log
)SH");
  fs::permissions(ws.dir() / "job.sh", fs::perms::owner_all);
  fs::create_directories(ws.dir() / "locks");

  auto done_counts = [&] {
    std::map<std::string, int> n;
    std::istringstream in(ReadFile(ws.dir() / "done.log"));
    for (std::string line; std::getline(in, line);) ++n[line];
    return n;
  };
  std::map<std::string, int> frozen;  // committed successes and their count then
  bool finished = false;
  int kills_landed = 0;  // on a running engine
  for (int round = 0; round <= kKills && !finished; ++round) {
    std::vector<std::string> args = {"run", "-j", "4"};
    if (round > 0) args.push_back("--resume");
    pid_t engine = ws.Start(args);
    if (round == kKills) {
      auto last = ws.Wait(engine);
      ASSERT_EQ(last.code, 0) << last.out << last.err;
      finished = true;
      break;
    }
    // Kill after a random number of job starts (events, not time).
    const int starts = static_cast<int>(rng() % 6) + 1;
    bool ended = false;
    for (int k = 0; k < starts && !ended; ++k) ended = events.Next(std::chrono::seconds(5)).empty();
    kill(engine, SIGKILL);
    auto r = ws.Wait(engine);
    if (r.code == 0) {
      finished = true;  // it finished before the kill landed
      break;
    }
    ++kills_landed;
    events.Drain();
    ASSERT_EQ(IntegrityCheck(ws.dir() / ".gauntlet/state.db"), "ok") << "round " << round;
    auto counts = done_counts();
    for (const std::string& job : CommittedSuccesses(ws.dir() / ".gauntlet/state.db")) {
      if (!frozen.count(job)) frozen[job] = counts[job];
    }
  }
  EXPECT_TRUE(finished);
  // Otherwise the checks below would check nothing.
  EXPECT_GE(kills_landed, 3) << "the engine finished before most kills";
  EXPECT_FALSE(frozen.empty()) << "no kill landed after a committed success";
  EXPECT_FALSE(fs::exists(ws.dir() / "overlaps"))
      << "jobs ran twice at the same time: " << ReadFile(ws.dir() / "overlaps");
  auto counts = done_counts();
  EXPECT_EQ(counts.size(), size_t{kJobs});
  for (const auto& [job, n] : frozen)
    EXPECT_EQ(counts[job], n) << job << " ran again after its success was committed";
}

}  // namespace
}  // namespace gauntlet
