// `gauntlet audit`: the MCP audit trail, every tool call an agent made (mcp/audit.h).
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "core/clock.h"
#include "core/duration.h"

namespace gauntlet::cli {
namespace {

struct AuditArgs {
  std::string identity, since, state_dir;
  int limit = 100;
};

nlohmann::json AuditJson(const store::AuditRecord& r) {
  nlohmann::json args = nlohmann::json::parse(r.arguments, nullptr, false);
  return {{"id", r.id},         {"at_ms", r.at_ms},
          {"identity", r.identity}, {"level", r.level},
          {"tool", r.tool},     {"arguments", args.is_discarded() ? nlohmann::json(r.arguments) : args},
          {"decision", r.decision}, {"outcome", r.outcome},
          {"detail", r.detail}, {"duration_ms", r.duration_ms}};
}

int RunAudit(const AuditArgs& args, const GlobalOptions& global) {
  store::AuditFilter f;
  f.identity = args.identity;
  f.limit = args.limit;
  if (!args.since.empty()) {
    auto d = ParseDuration(args.since);
    if (!d.ok()) {
      fmt::print(stderr, "gauntlet: --since: {} (a duration: 30m, 24h, 7d)\n", d.error().message);
      return kExitInvalid;
    }
    f.since_ms = RealClock().UnixMs() -
                 std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
  }
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto rows = h->store->ListAudit(f);
  if (!rows.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", rows.error().message);
    return kExitInternal;
  }
  if (global.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *rows) out.push_back(AuditJson(r));
    fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }
  if (rows->empty()) {
    fmt::print("no calls recorded{}\n", args.identity.empty() ? "" : " for " + args.identity);
    return kExitOk;
  }
  for (const auto& r : *rows) {
    fmt::print("{}  {:<20} {:<3} {:<12} {:<8} {:<9} {:>6}  {}\n", LocalTime(r.at_ms), r.identity,
               r.level.empty() ? "-" : r.level, r.tool, r.decision, r.outcome,
               HumanDuration(r.duration_ms), r.arguments);
    if (!r.detail.empty()) fmt::print("    {}\n", r.detail.substr(0, r.detail.find('\n')));
  }
  return kExitOk;
}

}  // namespace

void RegisterAudit(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand("audit", "Show the tool calls agents made over MCP");
  cmd->footer(
      "Every MCP tool call (`gauntlet mcp`), oldest first: when, the identity and its trust\n"
      "level (when the call needed it), the tool, its arguments (secret values masked as\n"
      "***), the gateway's decision (allowed, denied, invalid), the outcome (ok, error,\n"
      "cancelled, denied), why it was denied or failed, and how long it took.\n"
      "Exit codes: 0 shown, 2 usage, 3 no history, 4 internal error.\n");
  cmd->add_option("--identity", args->identity, "Only this identity's calls");
  cmd->add_option("--since", args->since, "Only calls in this last duration (30m, 24h, 7d)");
  cmd->add_option("--limit", args->limit, "The newest N calls (default 100)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunAudit(*args, global); };
}

}  // namespace gauntlet::cli
