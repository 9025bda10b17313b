#include "server/concurrency.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "engine/event_context.h"
#include "engine/pipeline.h"
#include "server/pipelines.h"
#include "server/server.h"
#include "spec/expr.h"
#include "vcs/checkout.h"

namespace gauntlet::server {
namespace {

bool IsWorkflowName(const std::string& name) {
  return name.ends_with(".yml") || name.ends_with(".yaml");
}

// The one pipeline file `item` runs, known without a checkout; "" when it is not one file
// (server/pipelines.h: a commit with several files fans out into one item per file).
std::string FileOf(const QueueItem& item, const std::string& source, const std::string& main_file) {
  if (item.event == kDeploymentEvent) return "";  // an action on a deployment: no run
  if (!item.pipeline.empty()) return item.pipeline;
  if (item.event == "manual" || item.event == "schedule") return main_file;
  if (item.event == "release") return "";
  std::vector<std::string> files;
  auto main = vcs::ReadCommittedFile(source, item.commit, main_file);
  if (main.ok() && main->found) files.push_back(main_file);
  const std::string dir = ".github/workflows";
  auto names = vcs::ListCommittedDir(source, item.commit, dir);
  if (names.ok())
    for (const std::string& n : *names)
      if (IsWorkflowName(n)) files.push_back(dir + "/" + n);
  return files.size() == 1 ? files[0] : "";
}

// What `group:` sees: the event (as jobs see it), the branch, and for workflows GitHub's
// usual `github.ref`, `github.workflow`, `github.head_ref`.
nlohmann::json GroupContext(const QueueItem& item, const std::string& pipeline_name) {
  engine::Event event;
  event.name = item.event;
  event.payload = nlohmann::json::parse(item.payload, nullptr, false);
  if (event.payload.is_discarded()) event.payload = nullptr;
  if (event.payload.is_object()) event.payload.erase(kRetryOf);
  nlohmann::json ev = engine::EventContext(event);
  const std::string heads = "refs/heads/";
  const std::string branch = item.ref.rfind(heads, 0) == 0 ? item.ref.substr(heads.size()) : "";
  const std::string ref_name = item.ref.substr(item.ref.find_last_of('/') + 1);
  return {{"event", ev},
          {"branch", branch},
          {"github",
           {{"ref", item.ref},
            {"ref_name", branch.empty() ? ref_name : branch},
            {"sha", item.commit},
            {"event_name", item.event},
            {"workflow", pipeline_name},
            {"head_ref", ev["pull_request"].value("head_ref", "")}}}};
}

}  // namespace

ItemGroup GroupOf(const QueueItem& item, const std::string& source, const std::string& main_file) {
  ItemGroup out;
  const std::string file = FileOf(item, source, main_file);
  if (file.empty()) return out;
  auto text = vcs::ReadCommittedFile(source, item.commit, file);
  if (!text.ok() || !text->found) return out;
  engine::LoadedPipeline loaded = engine::LoadPipelineText(text->content, file);
  if (!loaded.ok()) return out;  // the item ends `error` when it is processed
  const spec::Concurrency& c = loaded.pipeline().concurrency;
  if (c.group.empty()) return out;
  // A retry repeats a run its `on:` took already; anything else `on:` would ignore
  // replaces nothing. (A pull request's paths are judged again in the workspace.)
  nlohmann::json payload = nlohmann::json::parse(item.payload, nullptr, false);
  const bool retry = payload.is_object() && payload.contains(kRetryOf);
  if (!retry && !SkipReason(loaded.pipeline().triggers, item, source).empty()) return out;
  spec::Template t;
  spec::ExprError err;
  if (!spec::Template::Parse(c.group, &t, &err)) {
    out.problem = "concurrency group: " + err.message;
    return out;
  }
  spec::EvalContext ctx;
  ctx.contexts = GroupContext(item, loaded.pipeline().name);
  auto rendered = t.Render(ctx);
  if (!rendered.ok()) {
    out.problem = "concurrency group: " + rendered.error().message;
    return out;
  }
  if (rendered->empty()) return out;  // `${{ }}` of nothing: no group, as on GitHub
  out.name = *rendered;
  out.key = item.repo + ":" + out.name;
  out.cancel_in_progress = c.cancel_in_progress;
  return out;
}

void Server::AdmitLoop() {
  uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || admit_wakes_ != seen; });
      if (stopping_) return;
      seen = admit_wakes_;
    }
    AdmitQueued();
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_ = true;
    }
    wake_.notify_all();
  }
}

// On the admitter's thread, outside mu_ (Finish takes it).
void Server::AdmitQueued() {
  auto items = db_->Unadmitted();
  if (!items.ok())
    return Say(nullptr, "error", "the queue could not be read: " + items.error().message);
  for (const QueueItem& item : *items) {
    const WatchedRepo* repo = FindRepo(item.repo);
    ItemGroup g = repo ? GroupOf(item, repo->local(), config_.pipeline) : ItemGroup{};
    if (!g.problem.empty()) Say(&item, "note", g.problem + "; the run has no group");
    if (Status s = db_->Admit(item.id, g.key); !s.ok()) {
      Say(&item, "error", "could not be admitted: " + s.error().message);
      continue;
    }
    if (g.key.empty()) continue;
    const std::string why = fmt::format("queue {} in concurrency group {}", item.id, g.name);
    auto waiting = db_->InGroup(g.key, "queued");
    if (waiting.ok())
      for (const QueueItem& older : *waiting)
        if (older.id < item.id) Finish(older, "cancelled", "replaced by " + why);
    if (!g.cancel_in_progress) continue;
    auto running = db_->InGroup(g.key, "running");
    if (!running.ok()) continue;
    for (const QueueItem& r : *running) {
      Say(&r, "note", "cancelling: " + why + " (cancel-in-progress)");
      std::lock_guard<std::mutex> lock(mu_);
      auto it = running_.find(r.repo);
      if (it == running_.end() || it->second.item != r.id) continue;
      it->second.cancelled = true;  // a run not started yet is cancelled as it starts
      if (it->second.handle) it->second.handle->Cancel();
    }
  }
}

}  // namespace gauntlet::server
