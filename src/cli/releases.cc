// `gauntlet releases [--package NAME]`: the release history, newest first, with each
// release's steps.
#include <fmt/core.h>

#include <memory>
#include <optional>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "cli/pipeline_arg.h"
#include "release/history.h"

namespace gauntlet::cli {
namespace {

struct ReleasesArgs {
  std::string file, state_dir, package;
  bool package_given = false;
  int limit = 20;
};

int RunReleases(const ReleasesArgs& args, const GlobalOptions& global) {
  engine::LoadedPipeline loaded;
  if (int code = LoadPipeline(args.file, &loaded); code != kExitOk || !loaded.ok())
    return ReportLoadFailure(loaded, global, "invalid");
  const engine::Workspace ws = engine::WorkspaceForFile(loaded.file, args.state_dir);
  int code = kExitOk;
  auto h = OpenHistory(ws.state_dir, &code);
  if (!h) return code;
  std::optional<std::string> package;
  if (args.package_given) package = args.package;
  auto entries = release::History(*h->store, loaded.pipeline().name, package, args.limit);
  if (!entries.ok()) return Fail(entries.error());
  if (global.json) {
    fmt::print("{}\n", release::HistoryJson(*entries).dump(2));
    return kExitOk;
  }
  if (entries->empty()) {
    fmt::print("no releases\n");
    return kExitOk;
  }
  for (const release::ReleaseEntry& e : *entries) {
    const store::ReleaseRecord& r = e.release;
    fmt::print("#{} {}{} {}  {}  {}{}\n", r.id, r.tag.empty() ? "-" : r.tag,
               r.previous_version.empty() ? "" : " (from " + r.previous_version + ")", r.status,
               LocalTime(r.started_ms),
               r.finished_ms > 0 ? HumanDuration(r.finished_ms - r.started_ms) : "running",
               r.reason.empty() ? "" : "\n    " + r.reason);
    for (const auto& s : e.steps)
      fmt::print("    {:<8} {:<8} {}\n", s.step, s.result, s.detail);
  }
  return kExitOk;
}

}  // namespace

void RegisterReleases(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<ReleasesArgs>();
  CLI::App* cmd = app.add_subcommand("releases", "List the release history");
  cmd->footer(
      "Newest first: tag, previous version, status, start, duration, and each step's result.\n"
      "Exit codes: 0 listed (also when there are none), 2 usage, 3 no pipeline file or no\n"
      "history, 4 internal error.\n");
  cmd->add_option("-f,--file", args->file, "The pipeline file (default: gauntlet.yml, upward)");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory (default: beside the file)");
  cmd->add_option("--package", args->package, "Only this package's releases")
      ->each([args](const std::string&) { args->package_given = true; });
  cmd->add_option("-n,--limit", args->limit, "How many (default 20)");
  cmd->add_flag("--json", global.json, "Machine-readable output: {\"releases\": [...]}");
  *run = [args, &global]() { return RunReleases(*args, global); };
}

}  // namespace gauntlet::cli
