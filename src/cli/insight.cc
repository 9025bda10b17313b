// `gauntlet insight`: what the history says about a time window (docs/insight.md).
#include "insight/insight.h"

#include <fmt/core.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "core/clock.h"
#include "insight/report_html.h"
#include "insight/report_json.h"
#include "insight/report_text.h"

namespace gauntlet::cli {
namespace {

struct InsightArgs {
  std::string pipeline, branch, since = "30d", html, state_dir;
};

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Error::Errno("cannot write " + path, errno);
  out << text;
  out.close();
  if (!out) return Error::Errno("cannot write " + path, errno);
  return Ok();
}

int RunInsight(const InsightArgs& args, const GlobalOptions& global) {
  if (auto since = insight::ParseSince(args.since); !since.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", since.error().message);
    return kExitInvalid;
  }
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  insight::Options opt;
  opt.since = args.since;
  if (!args.pipeline.empty()) opt.pipeline = args.pipeline;
  if (!args.branch.empty()) opt.branch = args.branch;
  opt.now = RealClock().UnixMs();
  auto report = insight::BuildReport(*h->store, opt);
  if (!report.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", report.error().message);
    return kExitInternal;
  }
  nlohmann::json json = insight::ReportJson(*report);
  if (!args.html.empty()) {
    if (Status s = WriteFile(args.html, insight::ReportHtml(json)); !s.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", s.error().message);
      return kExitInvalid;
    }
  }
  if (global.json) {
    fmt::print("{}\n", json.dump(2));
  } else {
    fmt::print("{}", insight::ReportText(*report));
    if (!args.html.empty()) fmt::print("\nwrote {}\n", args.html);
  }
  return kExitOk;
}

}  // namespace

void RegisterInsight(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<InsightArgs>();
  CLI::App* cmd = app.add_subcommand(
      "insight", "What the history says: percentiles, critical path, flaky jobs, advice, DORA");
  cmd->footer(
      "Reads the runs started in the window (--since, default the last 30 days) and the one\n"
      "before it, and reports:\n"
      "  per pipeline: runs, success rate, duration p50/p95/p99 of successful runs and its\n"
      "    change against the previous window, slots and jobs running at once, the critical\n"
      "    path of the median run and what each job on it would save if faster;\n"
      "  per job: runs, success rate, duration p50/p95/p99 and trend, mean wait for a slot,\n"
      "    cache hit rate, retries, how often it was on the critical path;\n"
      "  flaky jobs (passed only on a retry, or failed where the same commit and inputs\n"
      "    passed), worst first, with their cost in retries and time;\n"
      "  advice, each with its evidence and expected saving, largest first;\n"
      "  DORA per environment: deployment frequency, lead time, change failure rate, time\n"
      "    to restore, each with its band (2023 State of DevOps report).\n"
      "Percentiles are nearest-rank. DORA ignores --pipeline and --branch. --html FILE\n"
      "writes one self-contained page (inline SVG, no network) with the same numbers as\n"
      "--json. Every field: docs/insight.md.\n"
      "Exit codes: 0 ok, 2 usage error (bad --since, --html not writable), 3 no history\n"
      "here, 4 internal error.\n");
  cmd->add_option("--pipeline", args->pipeline, "Only runs of this pipeline");
  cmd->add_option("--branch", args->branch, "Only runs of this git branch");
  cmd->add_option("--since", args->since, "The window: the last 30d (default), 7d, 12h, 90m, ...");
  cmd->add_option("--html", args->html, "Also write the report as one HTML page to FILE");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunInsight(*args, global); };
}

}  // namespace gauntlet::cli
