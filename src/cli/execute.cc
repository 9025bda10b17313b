#include "cli/execute.h"

#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/signals.h"
#include "engine/notify.h"
#include "engine/views_run.h"
#include "exec/progress.h"

namespace gauntlet::cli {
namespace {

int TerminalWidth(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 100;
}

int ExitCodeOf(const engine::RunOutcome& out) {
  if (!out.storage_error.empty()) return kExitStorage;
  if (out.skipped) return kExitOk;
  switch (out.state) {
    case exec::RunState::kSuccess:
      return kExitOk;
    case exec::RunState::kFailed:
      return kExitFailed;
    case exec::RunState::kCancelled:
      return kExitCancelled;
  }
  return kExitInternal;
}

void PrintOutcome(const engine::RunOutcome& out, const plan::Plan& plan, bool json) {
  for (const std::string& w : out.warnings) fmt::print(stderr, "gauntlet: warning: {}\n", w);
  const store::RunRecord& run = out.run;
  if (json) {
    nlohmann::json summary = engine::RunSummaryJson(run, plan, out.results);
    if (out.report_warnings) summary["warnings"] = *out.report_warnings;
    fmt::print("{}\n", summary.dump(2));
  } else if (out.skipped) {
    fmt::print("run {}: skipped ({})\n", run.id, run.reason);
  } else {
    fmt::print("run {}: {}{}\n", run.id, store::ToString(run.status),
               run.reason.empty() ? "" : " (" + run.reason + ")");
  }
  if (!out.storage_error.empty()) {
    fmt::print(stderr,
               "gauntlet: storage error: {}\ngauntlet: run {} could not be recorded and was "
               "stopped; free space, then continue it with `gauntlet run --resume {}`\n",
               out.storage_error, run.id, run.id);
  }
}

// A line on stderr for each delivery that ended (the run's output is already printed).
void SayNotified(const store::NotificationRecord& r) {
  if (r.state == "delivered") {
    fmt::print(stderr, "gauntlet: notified {} ({}): {} after {} attempt{}\n", r.url, r.event,
               r.status_code, r.attempts, r.attempts == 1 ? "" : "s");
  } else {
    fmt::print(stderr, "gauntlet: warning: notifying {} ({}) failed: {}\n", r.url, r.event,
               r.error);
  }
}

}  // namespace

void AddExecFlags(CLI::App* cmd, ExecFlags* flags, GlobalOptions& global,
                  const std::string& state_dir_default) {
  cmd->add_option("-j,--jobs", flags->jobs, "Jobs run at once (default: number of cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--keep-going", flags->keep_going,
                "After a failure, keep starting jobs that do not depend on it");
  cmd->add_flag("-v,--verbose", flags->verbose, "Stream every job's output, prefixed by its name");
  cmd->add_option("--secrets-file", flags->secrets_file,
                  "KEY=VALUE lines; every value is masked in all output");
  cmd->add_option("--state-dir", flags->state_dir,
                  "Where state lives (default: " + state_dir_default + ")");
  cmd->add_flag("--wait", flags->wait,
                "When another engine runs jobs with this state directory, wait for it instead "
                "of refusing");
  cmd->add_flag("--no-notify", flags->no_notify,
                "Send nothing to the pipeline's notify: URLs (they are sent by default)");
  cmd->add_flag("--json", global.json, "Print a JSON summary on stdout (progress goes to stderr)");
}

int ExecuteRun(const engine::LoadedPipeline& loaded, const engine::Workspace& ws,
               engine::RunOptions options, std::unique_ptr<store::Store> store,
               const ExecFlags& flags, const GlobalOptions& global, engine::Event event) {
  auto secrets = engine::CollectSecrets(loaded.pipeline(), flags.secrets_file);
  if (!secrets.ok()) return Fail(secrets.error());
  FILE* out = global.json ? stderr : stdout;
  exec::ProgressOptions popt;
  popt.tty = isatty(fileno(out));
  popt.verbose = flags.verbose;
  popt.width = TerminalWidth(fileno(out));
  exec::Progress progress(popt, [out](std::string_view s) {
    fwrite(s.data(), 1, s.size(), out);
    fflush(out);
  });

  engine::RunRequest req;
  req.pipeline = &loaded;
  req.workspace = ws;
  req.event = std::move(event);
  req.options = std::move(options);
  req.secrets = std::move(*secrets);
  req.store = std::move(store);
  req.options.wait = flags.wait;
  req.observer = &progress;
  req.note = [](const std::string& text) { fmt::print(stderr, "gauntlet: {}\n", text); };
  req.deploy_line = [out](const std::string& job, const std::string& line) {
    fmt::print(out, "  [{}] {}\n", job, line);
    fflush(out);
  };
  // Declared before the handle: the run's end is sent through it before the handle ends.
  std::unique_ptr<engine::Notifier> notifier;
  if (!flags.no_notify && !loaded.pipeline().notify.empty()) {
    notifier = std::make_unique<engine::Notifier>(&SayNotified);
    req.notifier = notifier.get();
  }
  std::unique_ptr<engine::RunHandle> handle;  // outlives the watcher that cancels it
  CancelOnSignals signals(nullptr);           // before the engine's threads start
  auto started = engine::StartRun(std::move(req));
  if (!started.ok()) return Fail(started.error());
  handle = std::move(*started);
  signals.Then([h = handle.get()] { h->Cancel(); });
  if (signals.signal() != 0) handle->Cancel();
  const engine::RunOutcome& outcome = handle->Wait();
  PrintOutcome(outcome, loaded.plan, global.json);
  // After the result: a slow receiver delays the exit, never the result or its code.
  if (notifier) notifier->Drain();
  return ExitCodeOf(outcome);
}

}  // namespace gauntlet::cli
