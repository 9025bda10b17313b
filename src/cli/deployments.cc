// `gauntlet deployments [ENV]`: deployment history, newest first, with each one's steps
// and verdicts (value, baseline, threshold, window).
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "engine/views_deploy.h"
#include "cli/history.h"
#include "core/clock.h"
#include "deploy/deployment_view.h"
#include "deploy/measurement.h"

namespace gauntlet::cli {
namespace {

struct DeploymentsArgs {
  std::string environment, state_dir;
  int limit = 10;
  bool verbose = false;
};

std::string Number(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "-";
  const auto& v = j[key];
  if (v.is_number()) return fmt::format("{:.4g}", v.get<double>());
  return v.is_string() ? v.get<std::string>() : v.dump();
}

int RunDeployments(const DeploymentsArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  store::Store& s = *h->store;
  auto list = s.ListDeployments(args.environment, args.limit);
  if (!list.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", list.error().message);
    return kExitInternal;
  }
  const int64_t now = RealClock().UnixMs();
  if (global.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *list) {
      auto events = s.GetDeploymentEvents(d.id);
      out.push_back(engine::DeploymentJson(
          d, events.ok() ? *events : std::vector<store::DeploymentEvent>{}, args.verbose, now));
    }
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (list->empty()) {
    fmt::print("no deployments{}\n", args.environment.empty() ? "" : " of " + args.environment);
    return kExitOk;
  }
  for (const auto& d : *list) {
    int64_t end = d.finished_ms ? d.finished_ms : now;
    fmt::print("#{} {} {} ({}) {}  {}  {}\n", d.id, d.environment, d.version, d.strategy,
               deploy::DisplayState(d, store::HostName()), LocalTime(d.started_ms),
               HumanDuration(end - d.started_ms));
    fmt::print("    trigger: {}{}\n", d.trigger,
               d.previous_version.empty() ? "" : ", previous: " + d.previous_version);
    auto events = s.GetDeploymentEvents(d.id);
    if (!events.ok()) continue;
    if (d.active()) fmt::print("    phase {}\n", deploy::Position(d, *events));
    if (!d.reason.empty()) fmt::print("    reason: {}\n", d.reason);
    if (d.observed_requests > 0) {
      fmt::print("    observed: p50 {:.1f} ms, p95 {:.1f} ms, p99 {:.1f} ms, errors {:.2f}% of {} "
                 "requests\n",
                 d.observed_p50_ms, d.observed_p95_ms, d.observed_p99_ms,
                 100 * d.observed_error_rate(), d.observed_requests);
    }
    for (const auto& e : *events) {
      if (e.kind == "verdict") {
        nlohmann::json m = nlohmann::json::parse(e.json, nullptr, false);
        if (m.is_discarded()) continue;
        fmt::print("    {:>3}% {:<16} {:<12} value {} baseline {} threshold {} window {}ms\n",
                   std::max(0, e.weight), m.value("metric", ""), e.verdict, Number(m, "value"),
                   Number(m, "baseline"), Number(m, "threshold"), Number(m, "window_ms"));
      } else if (args.verbose || e.kind == "analysis" || e.kind == "rollback" ||
                 (e.kind == "traffic" && e.verdict == "pass") || e.kind == "pause") {
        fmt::print("    {:<9} {}\n", e.kind, e.detail);
      }
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterDeployments(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<DeploymentsArgs>();
  CLI::App* cmd = app.add_subcommand("deployments", "Deployment history of an environment");
  cmd->footer(
      "Lists deployments newest first (of ENV, or of every environment): version,\n"
      "strategy, state, when and how long, who/what triggered it, the traffic changes,\n"
      "the analysis results and every verdict with its value, baseline, threshold and\n"
      "window, and what the probe observed of the new version (p50/p95/p99, error\n"
      "rate). A deployment whose engine on this host is gone shows as interrupted; an\n"
      "active one shows where it stands (phase step 2/3: 50% watched 30s, weight 50%).\n"
      "--verbose adds every recorded event (phases, hooks, health checks, drains);\n"
      "--json gives the same as objects (with \"events\" under --verbose).\n"
      "Exit codes: 0 ok, 3 no history here, 4 internal error.\n");
  cmd->add_option("ENV", args->environment, "The environment (default: all)");
  cmd->add_option("-n,--limit", args->limit, "How many (default 10)")->check(CLI::PositiveNumber);
  cmd->add_flag("-v,--verbose", args->verbose, "Every event of each deployment");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunDeployments(*args, global); };
}

}  // namespace gauntlet::cli
