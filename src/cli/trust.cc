// `gauntlet trust [AUTHOR]`: the trust level each author earned in this
// repository's history, and the promotions and demotions that led there.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "cli/pipeline_arg.h"
#include "core/clock.h"
#include "engine/trust.h"
#include "engine/views_gate.h"
#include "store/open.h"

namespace gauntlet::cli {
namespace {

using nlohmann::json;

struct TrustArgs {
  std::string author, file, state_dir;
};

// One author: their level, why, what is next, and every promotion and demotion.
int PrintAuthor(const engine::TrustReport& r, const std::string& repository, bool json) {
  const auto& [key, s] = r.standings.front();
  if (json) {
    fmt::print("{}\n",
               engine::TrustHistoryJson(key, r.HistoryOf(key), s, repository, r.changes).dump(2));
    return kExitOk;
  }
  fmt::print("{} in {}: {} (may merge {} alone)\n", key, repository, gate::ToString(s.level),
             gate::MaxRiskFor(s.level));
  fmt::print("  {}\n", s.why);
  if (!s.next.empty()) fmt::print("  next: {}\n", s.next);
  if (r.changes.empty()) {
    fmt::print("no promotion or demotion yet\n");
  } else {
    fmt::print("history\n");
    for (const auto& c : r.changes) {
      fmt::print("  {}  {} -> {}  {}\n", LocalTime(c.at_ms), c.from_level, c.to_level, c.reason);
    }
  }
  return kExitOk;
}

int RunTrust(const TrustArgs& args, const GlobalOptions& global) {
  LoadedPipeline loaded;
  int code = LoadPipeline(args.file, &loaded);
  if (code != kExitOk || !loaded.ok()) {
    PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
    return code != kExitOk ? code : kExitInvalid;
  }
  const spec::Pipeline& pipeline = loaded.load->pipeline;
  engine::Workspace ws = engine::WorkspaceForFile(loaded.file, args.state_dir);
  auto st = store::OpenStore(ws.store_url());
  if (!st.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", st.error().message);
    return kExitInternal;
  }
  auto r = engine::ReadTrust(**st, pipeline, ws.root, args.author, RealClock().UnixMs());
  if (!r.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", r.error().message);
    return kExitInternal;
  }
  if (!args.author.empty()) return PrintAuthor(*r, pipeline.name, global.json);
  if (global.json) {
    json out = json::array();
    for (const auto& [key, s] : r->standings)
      out.push_back(engine::TrustStandingJson(key, r->HistoryOf(key), s));
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (r->standings.empty()) {
    fmt::print("no authors in the history of {} yet\n", pipeline.name);
    return kExitOk;
  }
  size_t w = 6;
  for (const auto& [key, s] : r->standings) w = std::max(w, key.size());
  fmt::print("{:<{}}  {:<5}  {:>6}  {:>9}  {}\n", "AUTHOR", w, "LEVEL", "MERGED", "INCIDENTS",
             "NEXT");
  for (const auto& [key, s] : r->standings) {
    fmt::print("{:<{}}  {:<5}  {:>6}  {:>9}  {}\n", key, w, gate::ToString(s.level), s.merged,
               s.incidents, s.next.empty() ? "-" : s.next);
  }
  return kExitOk;
}

}  // namespace

void RegisterTrust(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<TrustArgs>();
  CLI::App* cmd = app.add_subcommand("trust", "Show the trust level authors earned");
  cmd->footer(
      "Computes each author's trust level (L0-L3) in this repository from the run history:\n"
      "changes merged (commits with a successful run on the default branch) and incidents\n"
      "(rollbacks, reverts) blamed on them, against gates.trust. Levels are never set by\n"
      "hand. With AUTHOR (an email, or a name), shows that author's level, what the next\n"
      "level needs, and every promotion and demotion with its reason. See docs/gates.md.\n"
      "Exit codes: 0 shown, 2 usage error or invalid pipeline, 3 no pipeline file,\n"
      "4 internal error.\n");
  cmd->add_option("AUTHOR", args->author, "One author (email or name)");
  cmd->add_option("--file", args->file, "Pipeline file (default: find gauntlet.yml upward)");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to use");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunTrust(*args, global); };
}

}  // namespace gauntlet::cli
