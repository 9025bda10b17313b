#include "store/log_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "store/log_format.h"

namespace gauntlet::store {
namespace {

class LogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gauntlet-logs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/.gauntlet/logs";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<LogWriter> OpenWriter(RunId run, LogWriterOptions options = {}) {
    auto w = LogWriter::Open(dir_, run, options);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.ok() ? std::move(w).value() : nullptr;
  }

  std::string Read(RunId run, uint32_t job, std::optional<uint16_t> attempt = std::nullopt) {
    auto text = LogReader(dir_).ReadJob(run, job, attempt);
    EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().message);
    return text.ok() ? *text : "<error>";
  }

  void AppendRaw(RunId run, std::string_view bytes) {
    std::ofstream f(LogPath(dir_, run), std::ios::binary | std::ios::app);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  std::string root_;
  std::string dir_;
};

TEST_F(LogStoreTest, InterleavedJobsReadBackLiveAndClosed) {
  auto w = OpenWriter(7);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Append(0, 1, "build: step 1\n").ok());
  ASSERT_TRUE(w->Append(1, 1, "test: ok\n").ok());
  ASSERT_TRUE(w->Append(0, 1, "build: step 2\n").ok());
  ASSERT_TRUE(w->Append(0, 2, "build retry\n").ok());
  ASSERT_TRUE(w->Append(1, 1, "test: done\n").ok());
  ASSERT_TRUE(w->Flush().ok());
  EXPECT_EQ(LogPath(dir_, 7), dir_ + "/7.log");

  // Live: no index yet, the frames are scanned.
  EXPECT_EQ(Read(7, 0), "build: step 1\nbuild: step 2\nbuild retry\n");
  EXPECT_EQ(Read(7, 0, 1), "build: step 1\nbuild: step 2\n");
  EXPECT_EQ(Read(7, 1), "test: ok\ntest: done\n");
  EXPECT_EQ(Read(7, 9), "");

  ASSERT_TRUE(w->Close().ok());
  EXPECT_FALSE(w->Append(0, 1, "late").ok());
  // Closed: the index is used.
  EXPECT_EQ(Read(7, 0), "build: step 1\nbuild: step 2\nbuild retry\n");
  EXPECT_EQ(Read(7, 0, 2), "build retry\n");
  EXPECT_EQ(Read(7, 1), "test: ok\ntest: done\n");
}

TEST_F(LogStoreTest, ClosedLogReadsOneJobThroughTheIndexWithoutScanningOthers) {
  auto w = OpenWriter(1);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Append(0, 1, "a1").ok());
  ASSERT_TRUE(w->Flush().ok());
  const uint64_t other_frame = std::filesystem::file_size(LogPath(dir_, 1));
  ASSERT_TRUE(w->Append(1, 1, "bbbbbbbb").ok());
  ASSERT_TRUE(w->Append(0, 1, "a2").ok());
  ASSERT_TRUE(w->Close().ok());
  // Damage job 1's frame: a scan would stop there, the index skips it.
  {
    std::fstream f(LogPath(dir_, 1), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(other_frame + logfmt::kFrameHeaderSize));
    f.put('X');
  }
  EXPECT_EQ(Read(1, 0), "a1a2");
  EXPECT_EQ(Read(1, 1), "");
}

TEST_F(LogStoreTest, TornLastFrameIsIgnoredAndCutOnReopen) {
  {
    auto w = OpenWriter(3);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->Append(0, 1, "complete\n").ok());
    ASSERT_TRUE(w->Flush().ok());
  }  // no Close: as if the engine died after a flush
  const uint64_t good_end = std::filesystem::file_size(LogPath(dir_, 3));
  // A frame cut short by a crash: header and part of its payload.
  std::string frame;
  logfmt::AppendFrame(&frame, 0, 1, logfmt::Kind::kOutput, "this never fully arrived");
  AppendRaw(3, frame.substr(0, frame.size() - 5));

  EXPECT_EQ(Read(3, 0), "complete\n");
  auto follow = LogReader(dir_).Follow(3, 0);
  ASSERT_TRUE(follow.ok());
  ASSERT_EQ(follow->chunks.size(), 1u);
  EXPECT_EQ(follow->next_offset, good_end);
  EXPECT_FALSE(follow->finished);

  // Resuming the run cuts the torn frame and appends after the good ones.
  auto w = OpenWriter(3);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->Stored(0, 1), 9u);
  ASSERT_TRUE(w->Append(0, 1, "resumed\n").ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(Read(3, 0), "complete\nresumed\n");

  // Reopening a closed log drops the old index and writes a new one on Close.
  w = OpenWriter(3);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Append(0, 2, "again\n").ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(Read(3, 0), "complete\nresumed\nagain\n");
}

TEST_F(LogStoreTest, FrameWithBadChecksumEndsTheReadableLog) {
  auto w = OpenWriter(4);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Append(0, 1, "good").ok());
  ASSERT_TRUE(w->Flush().ok());
  std::string frame;
  logfmt::AppendFrame(&frame, 0, 1, logfmt::Kind::kOutput, "flipped");
  frame.back() ^= 1;
  AppendRaw(4, frame);
  EXPECT_EQ(Read(4, 0), "good");
}

TEST_F(LogStoreTest, CapStoresAMarkerOnceAndCountsTheRest) {
  LogWriterOptions options;
  options.cap_per_attempt = 100;
  auto w = OpenWriter(5, options);
  ASSERT_TRUE(w);
  const std::string sixty(60, 'x');
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->Append(0, 1, sixty).ok());
  ASSERT_TRUE(w->Append(0, 2, "retry has its own budget").ok());
  EXPECT_EQ(w->Stored(0, 1), 100u);
  EXPECT_EQ(w->Dropped(0, 1), 80u);
  EXPECT_EQ(w->Dropped(0, 2), 0u);
  ASSERT_TRUE(w->Close().ok());

  const std::string text = Read(5, 0, 1);
  ASSERT_GT(text.size(), 100u);
  EXPECT_EQ(text.substr(0, 100), std::string(100, 'x'));
  const std::string marker = text.substr(100);
  EXPECT_NE(marker.find("truncated at 100 bytes"), std::string::npos) << marker;
  EXPECT_EQ(marker.find('x'), std::string::npos);
  EXPECT_EQ(Read(5, 0, 2), "retry has its own budget");

  auto follow = LogReader(dir_).Follow(5, 0);
  ASSERT_TRUE(follow.ok());
  int markers = 0;
  for (const auto& c : follow->chunks) markers += c.truncation_marker ? 1 : 0;
  EXPECT_EQ(markers, 1);
  EXPECT_TRUE(follow->finished);
}

TEST_F(LogStoreTest, DefaultCapIs16MiB) {
  EXPECT_EQ(LogWriterOptions{}.cap_per_attempt, 16u << 20);
}

TEST_F(LogStoreTest, RejectsAFileThatIsNotALog) {
  std::filesystem::create_directories(dir_);
  AppendRaw(6, "hello, I am not a log at all");
  EXPECT_FALSE(LogWriter::Open(dir_, 6).ok());
  EXPECT_FALSE(LogReader(dir_).ReadJob(6, 0, std::nullopt).ok());
  EXPECT_FALSE(LogReader(dir_).ReadJob(99, 0, std::nullopt).ok());  // no such log
  auto follow = LogReader(dir_).Follow(99, 0);  // not created yet: nothing, no error
  ASSERT_TRUE(follow.ok());
  EXPECT_TRUE(follow->chunks.empty());
}

TEST_F(LogStoreTest, FollowPagesByMaxBytes) {
  auto w = OpenWriter(8);
  ASSERT_TRUE(w);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w->Append(0, 1, std::string(10, 'a' + i)).ok());
  ASSERT_TRUE(w->Close().ok());
  LogReader reader(dir_);
  std::string all;
  uint64_t offset = 0;
  int calls = 0;
  while (true) {
    auto f = reader.Follow(8, offset, 25);
    ASSERT_TRUE(f.ok());
    for (const auto& c : f->chunks) all += c.data;
    offset = f->next_offset;
    ++calls;
    if (f->finished) break;
    ASSERT_FALSE(f->chunks.empty());
  }
  EXPECT_EQ(all.size(), 100u);
  EXPECT_GE(calls, 5);
}

// A writer thread appends and flushes; a reader thread follows, woken by the writer after
// each flush (what inotify or the live-log hub will do), with a deadline instead of sleeps.
// Lock-step: the writer goes on only once the reader has seen the flush, and the reader
// must see exactly what was flushed, the log not yet finished (a Follow that showed
// nothing until the log was closed would pass a test that only checks the end).
TEST_F(LogStoreTest, FollowFromAnotherThreadWhileWriting) {
  constexpr int kChunks = 200;
  auto w = OpenWriter(9, LogWriterOptions{.cap_per_attempt = 1 << 20, .buffer_bytes = 1 << 20});
  ASSERT_TRUE(w);
  std::mutex mu;
  std::condition_variable cv;
  int flushed = 0, acked = 0;
  bool closed = false;

  std::thread writer([&] {
    for (int i = 0; i < kChunks; ++i) {
      ASSERT_TRUE(w->Append(i % 3, 1, "line " + std::to_string(i) + "\n").ok());
      if (i % 7 == 0 || i == kChunks - 1) {
        ASSERT_TRUE(w->Flush().ok());
        std::unique_lock lock(mu);
        flushed = i + 1;
        cv.notify_all();
        if (!cv.wait_for(lock, std::chrono::seconds(20), [&] { return acked == flushed; }))
          return;  // the reader failed: it says why
      }
    }
    ASSERT_TRUE(w->Close().ok());
    std::lock_guard lock(mu);
    closed = true;
    cv.notify_all();
  });

  LogReader reader(dir_);
  std::vector<LogChunk> got;
  uint64_t offset = 0;
  bool finished = false;
  int rounds = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!finished) {
    int expect = 0;
    bool was_closed = false;
    {
      std::unique_lock lock(mu);
      const bool woke =
          cv.wait_until(lock, deadline, [&] { return flushed > acked || closed; });
      if (!woke) break;
      expect = flushed;
      was_closed = closed;
    }
    auto f = reader.Follow(9, offset);
    ASSERT_TRUE(f.ok());
    for (auto& c : f->chunks) got.push_back(std::move(c));
    offset = f->next_offset;
    finished = f->finished;
    if (was_closed) continue;
    ++rounds;
    EXPECT_EQ(got.size(), static_cast<size_t>(expect)) << "after the flush of " << expect;
    EXPECT_FALSE(finished) << "finished before the writer closed";
    {
      std::lock_guard lock(mu);
      acked = expect;
    }
    cv.notify_all();
  }
  writer.join();
  EXPECT_TRUE(finished) << "timed out with " << got.size() << " chunks";
  EXPECT_EQ(rounds, (kChunks - 1) / 7 + 2) << "every flush seen on its own";
  ASSERT_EQ(got.size(), size_t{kChunks});
  for (int i = 0; i < kChunks; ++i) {
    EXPECT_EQ(got[i].job, static_cast<uint32_t>(i % 3));
    EXPECT_EQ(got[i].data, "line " + std::to_string(i) + "\n");
  }
}

// The same from another process, as `gauntlet logs -f` does: the child writes and reports
// each flush on a pipe, then waits for the parent's answer on a second pipe; the parent
// waits on the first with poll and must see exactly the chunks flushed so far.
TEST_F(LogStoreTest, FollowFromAnotherProcess) {
  constexpr int kFlushes = 20;
  int fds[2], acks[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(pipe(acks), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    close(acks[1]);
    auto w = LogWriter::Open(dir_, 10);
    if (!w.ok()) _exit(2);
    for (int i = 0; i < kFlushes; ++i) {
      if (!(*w)->Append(0, 1, "chunk " + std::to_string(i) + "\n").ok()) _exit(3);
      if (!(*w)->Flush().ok()) _exit(4);
      if (write(fds[1], "f", 1) != 1) _exit(5);
      char ack;
      if (read(acks[0], &ack, 1) != 1) _exit(7);
    }
    if (!(*w)->Close().ok()) _exit(6);
    _exit(0);
  }
  close(fds[1]);
  close(acks[0]);
  LogReader reader(dir_);
  std::string text, expected;
  uint64_t offset = 0;
  for (int i = 0; i < kFlushes; ++i) {
    pollfd p{fds[0], POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 20000), 1) << "timed out";
    char flag;
    ASSERT_EQ(read(fds[0], &flag, 1), 1);
    auto f = reader.Follow(10, offset);
    ASSERT_TRUE(f.ok());
    for (const auto& c : f->chunks) text += c.data;
    offset = f->next_offset;
    expected += "chunk " + std::to_string(i) + "\n";
    EXPECT_EQ(text, expected) << "after flush " << i;
    EXPECT_FALSE(f->finished);
    ASSERT_EQ(write(acks[1], "a", 1), 1);
  }
  close(acks[1]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto last = reader.Follow(10, offset);
  ASSERT_TRUE(last.ok());
  for (const auto& c : last->chunks) text += c.data;
  EXPECT_TRUE(last->finished);
  close(fds[0]);
  EXPECT_EQ(text, expected);
}

// A write that fails half way (here the file size limit, as a full disk would) leaves no
// torn frame that would hide every later one from readers: the file is cut back to its
// last whole frame, the failure is final, and a resumed writer appends after it.
TEST_F(LogStoreTest, AFailedWriteLeavesNoTornFrame) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    LogWriterOptions o;
    o.buffer_bytes = 1 << 20;
    auto w = LogWriter::Open(dir_, 1, o);
    if (!w.ok()) _exit(2);
    if (!(*w)->Append(0, 1, "kept\n").ok() || !(*w)->Flush().ok()) _exit(3);
    rlimit limit{64 * 1024, 64 * 1024};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(4);
    if (!(*w)->Append(0, 1, std::string(100000, 'x')).ok()) _exit(5);  // buffered
    if ((*w)->Flush().ok()) _exit(6);                                  // part written, then EFBIG
    if ((*w)->Append(0, 1, "more").ok() || (*w)->Flush().ok()) _exit(7);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Read(1, 0), "kept\n");
  EXPECT_EQ(std::filesystem::file_size(LogPath(dir_, 1)),
            logfmt::kFileHeaderSize + logfmt::kFrameHeaderSize + 5);
  auto w = OpenWriter(1);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->LastAttempt(0), 1);
  ASSERT_TRUE(w->Append(0, 2, "after\n").ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(Read(1, 0), "kept\nafter\n");
  EXPECT_EQ(Read(1, 0, 2), "after\n");
}

}  // namespace
}  // namespace gauntlet::store
