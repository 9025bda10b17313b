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
#include "store/open.h"
#include "core/clock.h"
#include "engine/views_gate.h"
#include "gate/trust_history.h"
#include "vcs/range.h"

namespace gauntlet::cli {
namespace {

using nlohmann::json;

struct TrustArgs {
  std::string author, file, state_dir;
};

int RunTrust(const TrustArgs& args, const GlobalOptions& global) {
  LoadedPipeline loaded;
  int code = LoadPipeline(args.file, &loaded);
  if (code != kExitOk || !loaded.ok()) {
    PrintProblems(loaded, global.color && isatty(STDERR_FILENO));
    return code != kExitOk ? code : kExitInvalid;
  }
  const spec::Pipeline& pipeline = loaded.load->pipeline;
  engine::Workspace ws = engine::WorkspaceForFile(loaded.file, args.state_dir);
  auto branch = vcs::DefaultBranchName(ws.root);
  // Outside a repository (or without main/master) runs on `main` are the merged ones.
  const std::string default_branch = branch.ok() && !branch->empty() ? *branch : "main";
  auto st = store::OpenStore(ws.store_url());
  if (!st.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", st.error().message);
    return kExitInternal;
  }
  store::Store& store = **st;
  const gate::TrustScope scope{pipeline.name, default_branch};
  auto histories = gate::LoadTrustHistories(store, scope);
  if (!histories.ok()) {
    fmt::print(stderr, "gauntlet: {}\n", histories.error().message);
    return kExitInternal;
  }
  std::vector<std::string> keys;
  if (!args.author.empty()) {
    keys.push_back(gate::AuthorKey({"", args.author}));
    if (!histories->count(keys[0])) {
      // A name rather than an email: the author whose newest run spells it so.
      for (const auto& [key, h] : *histories) {
        if (h.author.name == args.author) keys[0] = key;
      }
    }
  } else {
    for (const auto& [key, h] : *histories) keys.push_back(key);
  }
  const int64_t now = RealClock().UnixMs();
  json out = json::array();
  std::vector<std::pair<std::string, gate::TrustStanding>> standings;
  for (const std::string& key : keys) {
    auto s = gate::StandingOf(store, scope, pipeline.gates, *histories, key, now);
    if (!s.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", s.error().message);
      return kExitInternal;
    }
    standings.emplace_back(key, std::move(s).value());
  }
  auto history_of = [&](const std::string& key) -> const gate::AuthorHistory* {
    auto it = histories->find(key);
    return it == histories->end() ? nullptr : &it->second;
  };

  if (!args.author.empty()) {
    const auto& [key, s] = standings.front();
    auto changes = store.ListTrustChanges(pipeline.name, key);
    if (!changes.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", changes.error().message);
      return kExitInternal;
    }
    if (global.json) {
      fmt::print("{}\n", engine::TrustHistoryJson(key, history_of(key), s, pipeline.name, *changes)
                              .dump(2));
      return kExitOk;
    }
    fmt::print("{} in {}: {} (may merge {} alone)\n", key, pipeline.name, gate::ToString(s.level),
               gate::MaxRiskFor(s.level));
    fmt::print("  {}\n", s.why);
    if (!s.next.empty()) fmt::print("  next: {}\n", s.next);
    if (changes->empty()) {
      fmt::print("no promotion or demotion yet\n");
    } else {
      fmt::print("history\n");
      for (const auto& c : *changes) {
        fmt::print("  {}  {} -> {}  {}\n", LocalTime(c.at_ms), c.from_level, c.to_level, c.reason);
      }
    }
    return kExitOk;
  }

  if (global.json) {
    for (const auto& [key, s] : standings) out.push_back(engine::TrustStandingJson(key, history_of(key), s));
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (standings.empty()) {
    fmt::print("no authors in the history of {} yet\n", pipeline.name);
    return kExitOk;
  }
  size_t w = 6;
  for (const auto& [key, s] : standings) w = std::max(w, key.size());
  fmt::print("{:<{}}  {:<5}  {:>6}  {:>9}  {}\n", "AUTHOR", w, "LEVEL", "MERGED", "INCIDENTS",
             "NEXT");
  for (const auto& [key, s] : standings) {
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
