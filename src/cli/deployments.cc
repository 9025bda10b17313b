// `gauntlet deployments [ENV]`: deployment history, newest first, with each one's steps
// and verdicts (value, baseline, threshold, window).
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "engine/views_deploy.h"
#include "cli/history.h"
#include "cli/server_client.h"
#include "core/clock.h"

namespace gauntlet::cli {
namespace {

struct DeploymentsArgs {
  std::string environment, state_dir;
  int limit = 10;
  bool verbose = false;
  ServerFlags server;
};

std::string Number(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "-";
  const auto& v = j[key];
  if (v.is_number()) return fmt::format("{:.4g}", v.get<double>());
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// The text, from the deployments as `deployments --json --verbose` shows them (with their
// events): the same whether they were read here or from a server.
void PrintDeployments(const nlohmann::json& list, bool verbose) {
  for (const nlohmann::json& d : list) {
    fmt::print("#{} {} {} ({}) {}  {}  {}\n", d["id"].get<int64_t>(),
               d["environment"].get<std::string>(), d["version"].get<std::string>(),
               d["strategy"].get<std::string>(), d["state"].get<std::string>(),
               LocalTime(d["started_ms"].get<int64_t>()),
               HumanDuration(d["duration_ms"].get<int64_t>()));
    const std::string previous = d["previous_version"].get<std::string>();
    fmt::print("    trigger: {}{}\n", d["trigger"].get<std::string>(),
               previous.empty() ? "" : ", previous: " + previous);
    if (d.contains("position")) fmt::print("    phase {}\n", d["position"].get<std::string>());
    if (const std::string reason = d["reason"].get<std::string>(); !reason.empty())
      fmt::print("    reason: {}\n", reason);
    if (const nlohmann::json& o = d["observed"]; o.is_object()) {
      fmt::print("    observed: p50 {:.1f} ms, p95 {:.1f} ms, p99 {:.1f} ms, errors {:.2f}% of {} "
                 "requests\n",
                 o["p50_ms"].get<double>(), o["p95_ms"].get<double>(), o["p99_ms"].get<double>(),
                 100 * o["error_rate"].get<double>(), o["requests"].get<int64_t>());
    }
    // Verdicts are in the order of their events: each verdict event is shown with its
    // measurement (the one recorded at its time and step).
    const nlohmann::json& verdicts = d["verdicts"];
    size_t next = 0;
    for (const nlohmann::json& e : d.value("events", nlohmann::json::array())) {
      const std::string kind = e["kind"].get<std::string>();
      if (kind == "verdict") {
        if (next >= verdicts.size() || verdicts[next]["at_ms"] != e["at_ms"] ||
            verdicts[next]["step"] != e["step"])
          continue;  // recorded without a measurement
        const nlohmann::json& m = verdicts[next++];
        fmt::print("    {:>3}% {:<16} {:<12} value {} baseline {} threshold {} window {}ms\n",
                   std::max(0, m["weight"].get<int>()), m.value("metric", ""),
                   e["verdict"].get<std::string>(), Number(m, "value"), Number(m, "baseline"),
                   Number(m, "threshold"), Number(m, "window_ms"));
      } else if (verbose || kind == "analysis" || kind == "rollback" ||
                 (kind == "traffic" && e["verdict"] == "pass") || kind == "pause") {
        fmt::print("    {:<9} {}\n", kind, e["detail"].get<std::string>());
      }
    }
  }
}

// The deployments of this workspace, with their events.
int DeploymentsHere(const DeploymentsArgs& args, nlohmann::json* out) {
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
  *out = nlohmann::json::array();
  for (const auto& d : *list) {
    auto events = s.GetDeploymentEvents(d.id);
    out->push_back(engine::DeploymentJson(
        d, events.ok() ? *events : std::vector<store::DeploymentEvent>{}, true, now));
  }
  return kExitOk;
}

// GET /api/v1/deployments with the same filters, and the events.
int DeploymentsFromServer(const DeploymentsArgs& args, nlohmann::json* out) {
  std::string path = "/api/v1/deployments?verbose=1&limit=" + std::to_string(args.limit);
  if (!args.environment.empty()) path += "&environment=" + QueryValue(args.environment);
  if (!args.server.repo.empty()) path += "&repo=" + QueryValue(args.server.repo);
  auto answer = GetFromServer(args.server, path);
  if (!answer.ok()) return Fail(answer.error());
  if (answer->status != 200) return ServerRefused(*answer);
  *out = answer->body.value("deployments", nlohmann::json::array());
  return kExitOk;
}

int RunDeployments(const DeploymentsArgs& args, const GlobalOptions& global) {
  nlohmann::json list;
  const int code = args.server.Url().empty() ? DeploymentsHere(args, &list)
                                             : DeploymentsFromServer(args, &list);
  if (code != kExitOk) return code;
  if (global.json) {
    if (!args.verbose)
      for (nlohmann::json& d : list) d.erase("events");
    fmt::print("{}\n", list.dump(2));
    return kExitOk;
  }
  if (list.empty()) {
    fmt::print("no deployments{}\n", args.environment.empty() ? "" : " of " + args.environment);
    return kExitOk;
  }
  PrintDeployments(list, args.verbose);
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
      "--server URL (or $GAUNTLET_SERVER): the deployments of a repository a gauntlet serve\n"
      "watches (--repo NAME), with a read token (--token-file, or $GAUNTLET_TOKEN); the\n"
      "same output (docs/server.md).\n"
      "Exit codes: 0 ok, 1 refused by the server, 3 no history here (or no such\n"
      "repository), 4 internal error or the server cannot be reached.\n");
  cmd->add_option("ENV", args->environment, "The environment (default: all)");
  cmd->add_option("-n,--limit", args->limit, "How many (default 10)")->check(CLI::PositiveNumber);
  cmd->add_flag("-v,--verbose", args->verbose, "Every event of each deployment");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  AddServerFlags(cmd, &args->server);
  *run = [args, &global]() { return RunDeployments(*args, global); };
}

}  // namespace gauntlet::cli
