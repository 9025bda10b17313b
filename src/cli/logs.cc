// `gauntlet logs [RUN] [JOB] [-f]`: the output of a run's jobs, read from the
// run's log file (store/log_store.h), and followed live with inotify while the
// run is going.
#include <fmt/core.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "store/log_store.h"

namespace gauntlet::cli {
namespace {

struct LogsArgs {
  std::string run, job, state_dir;
  bool follow = false;
  int attempt = 0;  // 0: every attempt
};

void Write(std::string_view s) { fwrite(s.data(), 1, s.size(), stdout); }

// Prints chunks of several jobs as whole lines prefixed "[job] ", keeping each
// job's unfinished last line until its end arrives (or Finish), so that jobs
// whose output interleaves in the file never share a line on the terminal.
class LinePrinter {
 public:
  explicit LinePrinter(bool prefix) : prefix_(prefix) {}
  void Add(const std::string& job, std::string_view data) {
    if (!prefix_) {
      Write(data);
      return;
    }
    std::string& pending = pending_[job];
    pending.append(data);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      Write(fmt::format("[{}] ", job));
      Write(std::string_view(pending).substr(start, nl + 1 - start));
    }
    pending.erase(0, start);
  }
  void Finish() {
    for (auto& [job, pending] : pending_) {
      if (pending.empty()) continue;
      Write(fmt::format("[{}] {}\n", job, pending));
      pending.clear();
    }
    fflush(stdout);
  }

 private:
  bool prefix_;
  std::map<std::string, std::string> pending_;
};

// Which jobs of the run to show, by index -> name.
struct Selection {
  std::map<uint32_t, std::string> names;  // every job of the run
  std::set<uint32_t> wanted;              // empty: all
  bool prefix = true;
};

// Waits for the run's log to change: an inotify watch on the logs directory
// (which sees the file being created, appended to and closed), read with a
// timeout so that the caller re-checks the engine's liveness now and then.
class LogWatch {
 public:
  LogWatch(std::string logs_dir, std::string state_dir)
      : logs_dir_(std::move(logs_dir)), state_dir_(std::move(state_dir)) {
    fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd_ >= 0) AddWatches();
  }
  ~LogWatch() {
    if (fd_ >= 0) close(fd_);
  }
  LogWatch(const LogWatch&) = delete;
  LogWatch& operator=(const LogWatch&) = delete;

  // Returns when something happened in the directory or after `timeout_ms`.
  void Wait(int timeout_ms) {
    if (fd_ < 0) {
      // No inotify (limits reached): the timeout alone paces the re-reads.
      poll(nullptr, 0, timeout_ms);
      return;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) > 0) {
      alignas(inotify_event) char buf[4096];
      while (read(fd_, buf, sizeof(buf)) > 0) {
      }
    }
    if (!logs_watched_) AddWatches();
  }

 private:
  void AddWatches() {
    // The logs directory may not exist before the engine opens the run's log:
    // then watch the state directory for its creation.
    if (inotify_add_watch(fd_, logs_dir_.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE) >= 0) {
      logs_watched_ = true;
    } else if (!state_watched_) {
      state_watched_ = inotify_add_watch(fd_, state_dir_.c_str(), IN_CREATE) >= 0;
    }
  }

  std::string logs_dir_, state_dir_;
  int fd_ = -1;
  bool logs_watched_ = false;
  bool state_watched_ = false;
};

int RunLogs(LogsArgs args, const GlobalOptions& global) {
  // `gauntlet logs unit`: a lone argument that is not a run id names a job of the
  // latest run.
  if (args.job.empty() && !args.run.empty() && args.run != "latest" && !ParseRunId(args.run)) {
    args.job = std::move(args.run);
    args.run.clear();
  }
  if (args.follow && global.json) {
    fmt::print(stderr, "gauntlet: --json cannot be combined with -f\n");
    return kExitInvalid;
  }
  int code = kExitOk;
  auto opened = OpenRunWithJobs(args.state_dir, args.run, &code);
  if (!opened) return code;
  History* h = &opened->history;
  const store::RunRecord* run = &opened->run;
  const std::vector<store::JobRecord>* jobs = &opened->jobs;
  Selection sel;
  for (const auto& j : *jobs) sel.names[j.index] = j.name;
  if (!args.job.empty()) {
    for (const auto& j : *jobs) {
      if (j.name == args.job) {
        sel.wanted = {static_cast<uint32_t>(j.index)};
        sel.prefix = false;
        break;
      }
      // A spec job name selects every matrix job expanded from it: "unit (python=3.12)".
      if (j.name.size() > args.job.size() + 1 && j.name.starts_with(args.job + " ("))
        sel.wanted.insert(j.index);
    }
    if (sel.wanted.empty()) {
      std::string known;
      for (const auto& j : *jobs) known += (known.empty() ? "" : ", ") + j.name;
      fmt::print(stderr, "gauntlet: run {} has no job '{}' (jobs: {})\n", run->id, args.job,
                 known.empty() ? "none" : known);
      return kExitNotFound;
    }
  }
  auto name_of = [&](uint32_t index) {
    auto it = sel.names.find(index);
    return it != sel.names.end() ? it->second : fmt::format("#{}", index);
  };
  auto shown = [&](const store::LogChunk& c) {
    return (sel.wanted.empty() || sel.wanted.count(c.job)) &&
           (args.attempt == 0 || c.attempt == args.attempt);
  };

  store::LogReader reader(h->ws.logs_dir());
  nlohmann::json json_chunks = nlohmann::json::array();
  LinePrinter printer(sel.prefix);
  // Reads every complete frame from `offset` on; true when the writer closed the log.
  uint64_t offset = 0;
  auto drain = [&](bool* got_data) -> Result<bool> {
    *got_data = false;
    for (;;) {
      auto r = reader.Follow(run->id, offset);
      if (!r.ok()) return r.error();
      offset = r->next_offset;
      for (const auto& c : r->chunks) {
        if (!shown(c)) continue;
        *got_data = true;
        if (!global.json) {
          printer.Add(name_of(c.job), c.data);
          continue;
        }
        std::string job = name_of(c.job);
        // Adjacent frames of one attempt are one chunk in the answer.
        if (!json_chunks.empty() && json_chunks.back()["job"] == job &&
            json_chunks.back()["attempt"] == c.attempt) {
          json_chunks.back()["text"] = json_chunks.back()["text"].get<std::string>() + c.data;
        } else {
          json_chunks.push_back({{"job", job}, {"attempt", c.attempt}, {"text", c.data}});
        }
      }
      if (r->finished) return true;
      if (r->chunks.empty()) return false;
    }
  };
  auto fail = [&](const Error& e) {
    printer.Finish();
    fmt::print(stderr, "gauntlet: {}\n", e.message);
    return kExitInternal;
  };

  if (!args.follow) {
    bool got = false;
    auto r = drain(&got);
    if (!r.ok()) return fail(r.error());
    if (global.json) {
      fmt::print("{}\n", json_chunks.dump(2));
    } else {
      printer.Finish();
    }
    return kExitOk;
  }

  // Follow: the watch is set before the first read, so that an append between a
  // read and the wait still wakes the wait.
  LogWatch watch(h->ws.logs_dir(), h->ws.state_dir);
  bool last_drain = false;
  for (;;) {
    bool got = false;
    auto closed = drain(&got);
    if (!closed.ok()) return fail(closed.error());
    fflush(stdout);
    if (*closed || last_drain) break;
    if (got) continue;
    // Nothing new: is the run still going? The engine flushes its log before it
    // commits a result, so once the store says the run ended (or its engine is
    // gone) one more read gets everything.
    auto now = h->store->GetRun(run->id);
    if (!now.ok()) return fail(now.error());
    if (!now->has_value() || (*now)->status != store::RunStatus::kRunning || EngineGone(**now)) {
      last_drain = true;
      continue;
    }
    watch.Wait(1000);
  }
  printer.Finish();
  return kExitOk;
}

}  // namespace

void RegisterLogs(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<LogsArgs>();
  CLI::App* cmd = app.add_subcommand("logs", "Print (or follow) the output of a run's jobs");
  cmd->footer(
      "Prints the output of a run (RUN: a run id; default: the latest run). With JOB (a\n"
      "job name such as 'unit (python=3.12)'), only that job's output, as it was written;\n"
      "a spec job name with several matrix jobs ('unit') prints each of them, every line\n"
      "prefixed by its job's name. Without JOB, every job's output in the order it was\n"
      "written, each line prefixed '[job] '. --attempt N keeps one attempt of retried\n"
      "jobs. -f follows a live run from another terminal until it finishes (or its engine\n"
      "dies). --json prints an array of {job, attempt, text} chunks (not with -f).\n"
      "A lone argument that is not a run id is a JOB of the latest run.\n"
      "Exit codes: 0 printed, 2 usage error, 3 no such run or job, 4 internal error.\n");
  cmd->add_option("RUN", args->run, "Run id (default: latest)");
  cmd->add_option("JOB", args->job, "Job name, or spec job name for all its matrix jobs");
  cmd->add_flag("-f,--follow", args->follow, "Follow a live run until it finishes");
  cmd->add_option("--attempt", args->attempt, "Only this attempt (1, 2, ...)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunLogs(*args, global); };
}

}  // namespace gauntlet::cli
