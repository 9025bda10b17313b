// `gauntlet run [FILE]`: a new run of a pipeline (or --resume of an interrupted one).
#include <fmt/core.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/execute.h"
#include "cli/pipeline_arg.h"
#include "engine/selection.h"
#include "spec/manual_inputs.h"
#include "vcs/warm_up.h"

namespace gauntlet::cli {
namespace {

struct RunFlags {
  std::string file;
  std::vector<std::string> only;
  std::string from;
  ExecFlags exec;
  bool resume = false;
  int64_t resume_run = 0;
  bool no_cache = false;
  std::string base;
  std::string event;          // --event: push, pull_request, schedule, workflow_dispatch...
  std::string event_payload;  // --event-payload: a JSON file, GitHub's webhook body
  std::vector<std::string> inputs;  // --input NAME=VALUE
};

// The run's event from --event, --event-payload and --input (docs/cli.md): the inputs
// are checked against the file's declared ones, as a trigger's are.
Result<engine::Event> EventFromFlags(const RunFlags& flags, const spec::Pipeline& p) {
  engine::Event event;
  if (!flags.event.empty()) event.name = flags.event == "workflow_dispatch" ? "manual" : flags.event;
  if (!flags.event_payload.empty()) {
    std::ifstream in(flags.event_payload);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Error::NotFound("cannot read --event-payload " + flags.event_payload);
    event.payload = nlohmann::json::parse(text.str(), nullptr, false);
    if (!event.payload.is_object())
      return Error::Invalid("--event-payload " + flags.event_payload +
                            " is not a JSON object (a webhook body such as GitHub's)");
  }
  if (flags.inputs.empty() && p.triggers.manual_inputs.empty()) return event;
  nlohmann::json given = nlohmann::json::object();
  for (const std::string& kv : flags.inputs) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error::Invalid("--input " + kv + ": expected NAME=VALUE");
    given[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto inputs = spec::CheckInputs(p.triggers.manual_inputs, given);
  if (!inputs.ok()) return inputs.error();
  if (!event.payload.is_object()) event.payload = nlohmann::json::object();
  event.payload["inputs"] = std::move(*inputs);
  return event;
}

int RunCommand(const RunFlags& flags, const GlobalOptions& global) {
  const vcs::Libgit2WarmUp warm_up;  // the run reads HEAD and the changed files
  engine::LoadedPipeline loaded = engine::LoadPipeline(flags.file, CurrentDir());
  if (!loaded.ok()) return ReportLoadFailure(loaded, global, "invalid");
  engine::RunAsk ask;
  ask.only = flags.only;
  ask.from = flags.from;
  ask.parallelism = flags.exec.jobs;
  // GitHub lets independent jobs finish after a failure: a workflow keeps going.
  ask.keep_going = flags.exec.keep_going || loaded.pipeline().workflow;
  ask.no_cache = flags.no_cache;
  ask.base = flags.base;
  if (flags.resume) ask.resume = flags.resume_run;
  auto event = EventFromFlags(flags, loaded.pipeline());
  if (!event.ok()) return Fail(event.error());
  engine::Workspace ws = engine::WorkspaceForFile(loaded.file, flags.exec.state_dir);
  auto prepared = engine::PrepareRun(ws.store_url(), loaded, ask);
  if (!prepared.ok()) return Fail(prepared.error());
  if (flags.resume && !global.json)
    fmt::print("resuming run {}: {} job(s) already succeeded\n", prepared->options.resume,
               prepared->kept);
  return ExecuteRun(loaded, ws, std::move(prepared->options), std::move(prepared->store),
                    flags.exec, global, std::move(*event));
}

}  // namespace

void RegisterRun(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Run a pipeline and record it");
  cmd->footer(
      "Runs the pipeline's jobs as a DAG: a job starts as soon as its needs are done and a\n"
      "slot is free. Output streams to .gauntlet/logs, results to .gauntlet/state.db,\n"
      "committed before any dependent starts (others within 100 ms), so a killed engine\n"
      "loses almost nothing and `gauntlet run --resume` continues the run, keeping the\n"
      "jobs that succeeded and the --only/--from/--no-cache/--base it started with; its\n"
      "pipeline-level `changes:` filter is applied again (nothing relevant: ends skipped).\n"
      "Jobs with `inputs:` are cached: when their inputs, definition and needs' outputs match\n"
      "an earlier successful run they are reported `cached` and not run (see docs/caching.md);\n"
      "each input file is read once per run, and not at all when .gauntlet/inputs.stat shows\n"
      "it unchanged since an earlier run.\n"
      "`changes:` filters skip the run, or a job, when no changed file is relevant; changed\n"
      "files are counted from --base REF (default: the merge-base with the default branch).\n"
      "One engine at a time runs jobs with a state directory: another one is refused, naming\n"
      "the holder (--wait: wait for it). Before the first job starts, what killed engines of\n"
      "this workspace left running is killed. A run that cannot be recorded (a full disk)\n"
      "stops at once, ends failed and is resumable with --resume once space is freed.\n"
      "Ctrl-C cancels cleanly. Exit codes: 0 success, 1 a job failed, 2 invalid pipeline or\n"
      "usage, 3 not found (file, job, run to resume, --base ref), 4 internal error, 5 the run\n"
      "could not be recorded (storage), 6 busy (another engine holds the workspace or the\n"
      "run), 130 cancelled.\n"
      "A GitHub Actions workflow (.github/workflows/*.yml) runs at the top of its repository,\n"
      "each job's steps in order, as with --keep-going (docs/github-actions.md); --event,\n"
      "--event-payload and --input give it github.event_name, github.event and inputs.\n");
  cmd->add_option("FILE", flags->file, "Pipeline file (default: find gauntlet.yml upward)");
  cmd->add_option("--only", flags->only, "Run only these jobs (and what they need)")
      ->expected(1, -1);
  cmd->add_option("--from", flags->from,
                  "Run this job and everything after it; its needs' outputs come from the "
                  "latest run");
  AddExecFlags(cmd, &flags->exec, global, ".gauntlet beside FILE");
  CLI::Option* resume = cmd->add_option(
      "--resume", flags->resume_run,
      "Continue an interrupted or cancelled run in place (default: the newest one)");
  resume->expected(0, 1);
  cmd->add_flag("--no-cache", flags->no_cache,
                "Run every job even when a cached result exists (new results are still cached)");
  cmd->add_option("--base", flags->base,
                  "Count changed files from the merge-base with this ref (default: the default "
                  "branch; on it, the last commit)");
  cmd->add_option("--event", flags->event,
                  "The event the run is for, as expressions see it (github.event_name, "
                  "event.name): push, pull_request, schedule, workflow_dispatch, ... "
                  "(default: manual)");
  cmd->add_option("--event-payload", flags->event_payload,
                  "A JSON file with the event's body (a GitHub webhook payload): "
                  "github.event, event.payload, GITHUB_EVENT_PATH");
  cmd->add_option("--input", flags->inputs,
                  "NAME=VALUE of a workflow_dispatch (manual) input; checked against the "
                  "declared inputs, defaults filled in; repeat it for each input")
      ->allow_extra_args(false);  // one value per --input, as many --input as needed
  *run = [flags, resume, &global]() -> int {
    flags->resume = resume->count() > 0;
    return RunCommand(*flags, global);
  };
}

}  // namespace gauntlet::cli
