// `gauntlet cache ls|clear|prune`: the job cache's entries and the artifact objects
// behind them, with their bytes.
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/bytes.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "core/clock.h"
#include "engine/job_cache.h"
#include "store/artifact_manifest.h"

namespace gauntlet::cli {
namespace {

struct CacheArgs {
  std::string state_dir;
  std::string older_than;
};

nlohmann::json EntryJson(const store::CacheEntry& e) {
  auto manifest = store::ManifestFromJson(e.artifacts);
  return {{"key", e.key},
          {"pipeline", e.pipeline},
          {"job", e.job},
          {"run", e.run_id},
          {"outputs", e.outputs},
          {"files", manifest.ok() ? manifest->size() : 0},
          {"bytes", e.bytes},
          {"created_ms", e.created_ms},
          {"last_used_ms", e.last_used_ms}};
}

void PrintEntries(const std::vector<store::CacheEntry>& entries) {
  size_t jw = 3;
  for (const auto& e : entries) jw = std::max(jw, e.job.size());
  fmt::print("{:<12}  {:<{}}  {:>5}  {:>10}  {}\n", "KEY", "JOB", jw, "RUN", "ARTIFACTS",
             "LAST USED");
  for (const auto& e : entries) {
    fmt::print("{:<12}  {:<{}}  {:>5}  {:>10}  {}\n", e.key.substr(0, 12), e.job, jw, e.run_id,
               HumanBytes(e.bytes), LocalTime(e.last_used_ms));
  }
}

nlohmann::json EntriesJson(const std::vector<store::CacheEntry>& entries) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : entries) list.push_back(EntryJson(e));
  return list;
}

int RunLs(const CacheArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto c = engine::ListCache(*h->store, h->ws.artifacts_dir());
  if (!c.ok()) return Fail(c.error());
  if (global.json) {
    nlohmann::json out = {{"entries", EntriesJson(c->entries)},
                          {"bytes", c->entry_bytes},
                          {"objects", c->objects},
                          {"object_bytes", c->object_bytes}};
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (!c->entries.empty()) PrintEntries(c->entries);
  fmt::print("{} cache entr{} ({} of artifacts); artifact store: {} object{}, {}\n",
             c->entries.size(), c->entries.size() == 1 ? "y" : "ies", HumanBytes(c->entry_bytes),
             c->objects, c->objects == 1 ? "" : "s", HumanBytes(c->object_bytes));
  return kExitOk;
}

// Clear (no age) or prune (entries and objects not used for --older-than).
int RunRemove(const CacheArgs& args, const GlobalOptions& global, bool clear) {
  std::optional<Duration> age;
  if (!clear) {
    auto a = ParseAge(args.older_than);
    if (!a.ok()) return Fail(Error::Invalid(a.error().message));
    age = *a;
  }
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto r = engine::RemoveCache(*h->store, h->ws.artifacts_dir(), age, RealClock());
  if (!r.ok()) return Fail(r.error());
  if (global.json) {
    nlohmann::json out = {{"removed_entries", EntriesJson(r->entries)},
                          {"entry_bytes", r->entry_bytes},
                          {"removed_objects", r->objects.files},
                          {"object_bytes", r->objects.bytes}};
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  fmt::print("removed {} cache entr{} and {} artifact object{} ({})\n", r->entries.size(),
             r->entries.size() == 1 ? "y" : "ies", r->objects.files,
             r->objects.files == 1 ? "" : "s", HumanBytes(r->objects.bytes));
  return kExitOk;
}

}  // namespace

void RegisterCache(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<CacheArgs>();
  CLI::App* cmd = app.add_subcommand("cache", "List, clear or prune the job cache");
  cmd->footer(
      "A job with `inputs:` that succeeded is recorded in the cache under its key (its\n"
      "definition, the digest of its inputs and its needs' outputs); a later run with the\n"
      "same key reports it `cached` and restores its outputs and artifacts instead of\n"
      "running it. Artifact files live in .gauntlet/artifacts, content-addressed and shared\n"
      "between entries and runs. See docs/caching.md.\n"
      "  ls                      entries (key, job, run, artifact bytes, last use) and totals\n"
      "  clear                   remove every entry and every stored artifact object\n"
      "  prune --older-than 7d   remove entries and objects not used for that long\n"
      "Removed objects can no longer be restored or downloaded (`gauntlet artifacts`).\n"
      "Exit codes: 0 done, 2 usage error, 3 no run history here, 4 internal error.\n");
  cmd->require_subcommand(1);
  CLI::App* ls = cmd->add_subcommand("ls", "List cache entries and the bytes they hold");
  CLI::App* clear = cmd->add_subcommand("clear", "Remove every cache entry and artifact object");
  CLI::App* prune =
      cmd->add_subcommand("prune", "Remove entries and artifact objects not used recently");
  prune->add_option("--older-than", args->older_than, "Age: 7d, 36h, 90m, 1d12h")->required();
  for (CLI::App* sub : {cmd, ls, clear, prune}) {
    sub->add_option("--state-dir", args->state_dir, "The .gauntlet directory to use");
    sub->add_flag("--json", global.json, "Machine-readable output on stdout");
  }
  *run = [args, ls, clear, &global]() {
    if (ls->parsed()) return RunLs(*args, global);
    return RunRemove(*args, global, clear->parsed());
  };
}

}  // namespace gauntlet::cli
