// The server's workers, one per slot: each takes the oldest queued item of a repository
// no other slot works on and runs it through the engine at its commit, in the
// repository's kept workspace.
#include <fmt/core.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "engine/pipeline.h"
#include "engine/secrets.h"
#include "engine/selection.h"
#include "release/release.h"
#include "server/pipelines.h"
#include "server/run_events.h"
#include "server/schedules.h"
#include "server/server.h"
#include "spec/load.h"
#include "store/open.h"
#include "vcs/checkout.h"
#include "vcs/repo.h"

namespace gauntlet::server {
namespace {

void Print(const std::string& line) {
  fmt::print("{}\n", line);
  fflush(stdout);
}

bool Ended(store::RunStatus s) {
  return s == store::RunStatus::kSuccess || s == store::RunStatus::kFailed ||
         s == store::RunStatus::kSkipped;
}

// Why a pipeline file did not load: its first error, at file:line:col.
std::string LoadError(const engine::LoadedPipeline& loaded, const std::string& file) {
  std::string first = loaded.status().error().message;
  for (const spec::Problem& p : loaded.problems.all()) {
    if (p.severity != spec::Severity::kError) continue;
    first = fmt::format("{}:{}:{}: {}", file, p.loc.line, p.loc.col, p.message);
    break;
  }
  return "invalid pipeline file: " + first;
}

// Why `commit` is not green for a `when: green` release: no run of it, or its newest run
// of `pipeline` did not succeed; "" when it is green.
std::string NotGreen(const engine::Workspace& ws, const std::string& pipeline,
                     const std::string& commit) {
  auto store = store::OpenStore(ws.store_url());
  if (!store.ok()) return "the store could not be read: " + store.error().message;
  store::RunFilter filter;
  filter.limit = 200;
  filter.pipeline = pipeline;
  auto runs = (*store)->ListRuns(filter);
  if (!runs.ok()) return "the store could not be read: " + runs.error().message;
  for (const store::RunRecord& r : *runs) {  // newest first
    if (r.git_commit != commit) continue;
    if (r.status == store::RunStatus::kSuccess) return "";
    return fmt::format("the head {} is not green: its last run ({}) is {} (when: green)",
                       commit.substr(0, 12), r.id, store::ToString(r.status));
  }
  return fmt::format("the head {} is not green: it has no run yet (when: green)",
                     commit.substr(0, 12));
}

// What the run's expressions see of the trigger (engine/event_context.h).
engine::Event EventOf(const QueueItem& item, const std::string& source,
                      const std::string& workdir, const std::string& branch) {
  engine::Event event;
  event.name = item.event;
  event.payload = nlohmann::json::parse(item.payload, nullptr, false);
  if (event.payload.is_object()) event.payload.erase(kRetryOf);
  // A generic webhook's body is the event's payload (its name chose the pipeline).
  if (item.event == "webhook" && event.payload.is_object()) {
    event.webhook_name = event.payload.value("webhook", "");
    event.webhook_delivery = event.payload.value("delivery", "");
    event.payload = event.payload.value("body", nlohmann::json::object());
  }
  if (item.event == "push") {
    // The source knows the merged branch's head; a remote one is known by the workspace
    // (which has the commit, and the merge message).
    auto merged = vcs::MergedBranch(source, item.commit, branch);
    if (!merged.ok()) merged = vcs::MergedBranch(workdir, item.commit, branch);
    if (merged.ok()) event.merged_branch = *merged;
  }
  return event;
}

// The run a retry item repeats (its payload's kRetryOf); 0 for any other item.
int64_t RetryOf(const std::string& payload) {
  nlohmann::json p = nlohmann::json::parse(payload, nullptr, false);
  if (!p.is_object() || !p.contains(kRetryOf) || !p[kRetryOf].is_number_integer()) return 0;
  return p[kRetryOf].get<int64_t>();
}

// A retry item's run: the jobs that did not succeed in run `original` and what depends
// on them; the others are taken from it (`gauntlet retry`).
Result<engine::PreparedRun> PrepareRetryOf(const engine::Workspace& ws, int64_t original,
                                           int jobs) {
  auto retry = engine::PrepareRetry(ws.store_url(), original, jobs, /*keep_going=*/false);
  if (!retry.ok()) return retry.error();
  if (!retry->loaded.ok()) return Error::Invalid("the pipeline file does not load");
  if (retry->to_run == 0)
    return Error::Conflict(fmt::format("run {} has nothing to retry", original));
  engine::PreparedRun out;
  out.options = std::move(retry->options);
  out.store = std::move(retry->store);
  return out;
}

// What the engine is asked for `item`: the run a killed server left (resumed; when it
// ended already, `*ended` is its status and nothing is prepared), a retry, or a new run.
Result<engine::PreparedRun> PrepareFor(const QueueItem& item, const engine::Workspace& ws,
                                       const engine::LoadedPipeline& loaded, int64_t retry_of,
                                       int jobs, std::string* ended) {
  engine::RunAsk ask;
  ask.parallelism = jobs;
  if (item.run_id != 0) {
    auto store = store::OpenStore(ws.store_url());
    auto run = store.ok() ? (*store)->GetRun(item.run_id)
                          : Result<std::optional<store::RunRecord>>(store.error());
    if (run.ok() && *run && Ended((*run)->status)) {
      *ended = store::ToString((*run)->status);
      return Error{"ended"};
    }
    ask.resume = item.run_id;
  } else if (retry_of) {
    return PrepareRetryOf(ws, retry_of, jobs);
  }
  return engine::PrepareRun(ws.store_url(), loaded, ask);
}

// The caches (`caches:`) the pipeline file at `commit` declares, read from the repository
// before the checkout that would clean them; unset when it cannot be read (the workspace
// then keeps what it kept).
std::optional<std::vector<std::string>> DeclaredCaches(const std::string& source,
                                                       const std::string& commit,
                                                       const std::string& file) {
  auto committed = vcs::ReadCommittedFile(source, commit, file);
  if (!committed.ok()) return std::nullopt;
  if (!committed->found) return std::vector<std::string>{};
  return spec::LoadString(committed->content, file).pipeline.caches;
}

}  // namespace

// A release the server was stopped or killed in continues from the workspace as it was
// left, where its commit and tag may be the only copies: no checkout back to the fired
// commit, and no second look at `when` (it was green when the release began).
void Server::ProcessRelease(const QueueItem& item, const WatchedRepo& repo,
                            const engine::Workspace& ws, const std::string& branch) {
  if (!item.resumed) {
    auto checkout = vcs::CheckoutAt(repo.local(), ws.root, item.commit, branch);
    if (!checkout.ok()) return Finish(item, "error", checkout.error().message);
  }
  engine::LoadedPipeline loaded = engine::LoadPipeline(ws.root + "/" + config_.pipeline, ws.root);
  if (!loaded.ok()) return Finish(item, "error", LoadError(loaded, config_.pipeline));
  const spec::Release& rel = loaded.pipeline().release;
  if (!rel.present || !PayloadNames(item.payload, rel.schedule, rel.timezone))
    return Finish(item, "ignored", "the pipeline file at this commit has no such release schedule");
  if (!item.resumed && rel.when == "green") {
    if (std::string why = NotGreen(ws, loaded.pipeline().name, item.commit); !why.empty())
      return Finish(item, "ignored", why);
  }
  auto secrets = engine::CollectSecrets(loaded.pipeline(), config_.secrets_file);
  if (!secrets.ok()) return Finish(item, "error", secrets.error().message);
  release::ReleaseRequest req;
  req.pipeline = &loaded;
  req.workspace = ws;
  req.secrets = std::move(*secrets);
  // The workspace is the server's clone: a tag made only there would be lost. Its origin
  // is the watched repository.
  if (rel.remote.empty()) req.remote = "origin";
  req.print = [&](const std::string& line) { Say(&item, "note", line); };
  Say(&item, "release started", item.resumed ? "resumed" : "");
  auto out = release::Run(req);
  if (!out.ok()) return Finish(item, "error", out.error().message);
  const release::ReleaseState& s = out->state;
  std::string detail = s.status;
  if (!s.tag.empty()) detail += " " + s.tag;
  if (!s.reason.empty()) detail += ": " + s.reason;
  Finish(item, "done", detail);
}

void Server::Say(const QueueItem* item, const std::string& what, const std::string& detail,
                 int64_t run_id) {
  if (item) {
    events_.Publish("queue", {{"at_ms", NowMs()},
                              {"what", what},
                              {"detail", detail},
                              {"queue", item->id},
                              {"repo", item->repo},
                              {"event", item->event},
                              {"ref", item->ref},
                              {"commit", item->commit},
                              {"pipeline", item->pipeline},
                              {"run_id", run_id ? run_id : item->run_id}});
  }
  if (config_.json) {
    nlohmann::json j = {{"at_ms", NowMs()}, {"what", what}, {"detail", detail}};
    if (item) {
      j.update({{"queue", item->id}, {"repo", item->repo}, {"event", item->event},
                {"ref", item->ref}, {"commit", item->commit},
                {"run_id", run_id ? run_id : item->run_id}});
    }
    return Print(j.dump());
  }
  std::string line = item ? fmt::format("queue {}: {} {}@{}: ", item->id, item->event, item->ref,
                                        item->commit.substr(0, 12))
                          : "gauntlet serve: ";
  Print(line + what + (detail.empty() ? "" : " (" + detail + ")"));
}

void Server::WorkLoop() {
  while (true) {
    std::optional<QueueItem> item;
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (!item) {
        wake_.wait(lock, [&] { return stopping_ || pending_; });
        if (stopping_) return;
        auto next = db_->TakeNext(NowMs(), busy_repos_);
        if (!next.ok())
          Say(nullptr, "error", "the queue could not be read: " + next.error().message);
        if (next.ok() && *next) {
          item = std::move(*next);
        } else {
          pending_ = false;  // until something is admitted or a repository is freed
        }
      }
      busy_repos_.insert(item->repo);  // its next item waits for this one to end
      running_[item->repo] = Running{item->id};
    }
    Process(*item);
    EndFresh(*item);
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_repos_.erase(item->repo);
      running_.erase(item->repo);
      pending_ = true;  // the repository's next item may wait for a slot that is asleep
    }
    wake_.notify_all();
  }
}

void Server::Finish(const QueueItem& item, const std::string& state, const std::string& reason) {
  if (Status s = db_->Finish(item.id, state, reason, NowMs()); !s.ok())
    Say(&item, "error", "could not be recorded: " + s.error().message);
  ItemChanged();
  Say(&item, state, reason);
}

void Server::Process(const QueueItem& item) {
  auto finish = [&](const std::string& state, const std::string& reason) {
    Finish(item, state, reason);
  };
  const WatchedRepo* repo = FindRepo(item.repo);
  if (!repo) return finish("error", "no watched repository '" + item.repo + "'");
  engine::Workspace ws = RepoWorkspace(config_, *repo);
  const std::string heads = "refs/heads/";
  const std::string branch = item.ref.rfind(heads, 0) == 0 ? item.ref.substr(heads.size()) : "";
  if (item.event == "release") return ProcessRelease(item, *repo, ws, branch);
  if (repo->workspace == "fresh") ws.root = FreshRoot(config_, *repo, item.id);  // EndFresh
  if (item.event == kDeploymentEvent) return ProcessDeployment(item, *repo, ws);
  // Where the time from the queue to the run goes, for the log line that says it started.
  const auto t0 = std::chrono::steady_clock::now();
  auto ms_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  };
  // A kept workspace keeps the declared caches through its clean; a fresh one has none.
  std::optional<std::vector<std::string>> caches;
  if (repo->workspace != "fresh") caches = DeclaredCaches(repo->local(), item.commit, config_.pipeline);
  auto checkout = vcs::CheckoutAt(repo->local(), ws.root, item.commit, branch,
                                  caches ? &*caches : nullptr);
  const double checkout_ms = ms_since(t0);
  if (!checkout.ok()) return finish("error", checkout.error().message);
  std::string file = item.pipeline;
  if (file.empty()) {
    // A manual or scheduled run was asked of the configured file; any other event goes
    // to each pipeline file of the commit that takes it.
    std::vector<std::string> files = item.event == "manual" || item.event == "schedule"
                                         ? std::vector<std::string>{config_.pipeline}
                                         : PipelineFiles(ws.root, config_.pipeline);
    if (files.size() > 1) return FanOut(item, ws, files);
    file = files.empty() ? config_.pipeline : files[0];
  }
  engine::LoadedPipeline loaded = engine::LoadPipeline(ws.root + "/" + file, ws.root);
  if (!loaded.ok()) return finish("error", LoadError(loaded, file));
  const int64_t retry_of = RetryOf(item.payload);
  // A retry repeats a run its `on:` took already.
  if (std::string why = retry_of ? "" : SkipReason(loaded.pipeline().triggers, item, ws.root);
      !why.empty())
    return finish("ignored", why);
  std::string ended;
  auto prepared = PrepareFor(item, ws, loaded, retry_of, config_.jobs, &ended);
  if (!ended.empty()) return finish("done", ended);
  if (!prepared.ok()) return finish("error", prepared.error().message);
  auto secrets = engine::CollectSecrets(loaded.pipeline(), config_.secrets_file);
  if (!secrets.ok()) return finish("error", secrets.error().message);
  engine::RunRequest req;
  req.pipeline = &loaded;
  req.workspace = ws;
  req.event = EventOf(item, repo->local(), ws.root, branch);
  req.options = std::move(prepared->options);
  req.options.wait = true;  // a person's `gauntlet run` in the same state: after it
  req.store = std::move(prepared->store);
  req.secrets = std::move(*secrets);
  req.note = [&](const std::string& text) { Say(&item, "note", text); };
  req.notifier = notifier_.get();
  req.notify_repo = repo->name;
  req.run_url = RunUrl(*repo);
  RunAndWait(item, ws, loaded, file, std::move(req),
             fmt::format("checkout {:.1f} ms, pipeline and store {:.1f} ms", checkout_ms,
                         ms_since(t0) - checkout_ms));
}

// Starts the run, says so, and waits for its end: the item ends `done` with the run's
// status and the pipelines chained to it are queued; a run stopped with the server stays.
void Server::RunAndWait(const QueueItem& item, const engine::Workspace& ws,
                        const engine::LoadedPipeline& loaded, const std::string& file,
                        engine::RunRequest req, const std::string& timing) {
  JobTimer timer(&metrics_);
  RunEvents events(&events_, {{"queue", item.id}, {"repo", item.repo}, {"pipeline", file}});
  exec::ObserverList observers;
  observers.Add(&timer);
  observers.Add(&events);
  req.observer = &observers;
  req.deploy_line = [&events](const std::string& job, const std::string& line) {
    events.DeployLine(job, line);
  };
  const auto start = std::chrono::steady_clock::now();
  auto started = engine::StartRun(std::move(req));
  if (!started.ok()) return Finish(item, "error", started.error().message);
  std::unique_ptr<engine::RunHandle> handle = std::move(*started);
  events.SetRun(handle->run_id());
  if (Status s = db_->SetRunId(item.id, handle->run_id()); !s.ok())
    Say(&item, "error", "run id not recorded: " + s.error().message);
  ItemChanged();
  auto ms = [](auto from, auto to) { return std::chrono::duration<double, std::milli>(to - from).count(); };
  Say(&item, "run " + std::to_string(handle->run_id()) + " started",
      fmt::format("{}, engine start {:.1f} ms", timing, ms(start, std::chrono::steady_clock::now())),
      handle->run_id());
  {
    std::lock_guard<std::mutex> lock(mu_);
    Running& slot = running_[item.repo];
    slot.handle = handle.get();
    if (slot.cancelled) handle->Cancel();
    if (stopping_) handle->Cancel();
  }
  const engine::RunOutcome& outcome = handle->Wait();
  bool stopped = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_[item.repo].handle = nullptr;
    stopped = stopping_;
  }
  // Stopped with the server: left `running`, so the next start resumes it.
  if (stopped) return Say(&item, "interrupted", "", handle->run_id());
  const std::string status(store::ToString(outcome.run.status));
  events.RunFinished(status);
  QueueItem ran = item;  // taken before its run had an id: the last line and event carry it
  ran.run_id = handle->run_id();
  Finish(ran, "done", status);
  ChainAfter(item, ws, {handle->run_id(), loaded.pipeline().name, file, status});
}

// Several pipeline files at the commit: each that takes the event gets its own item (in
// file order), so each is a run of its own with its own history; this item says which.
void Server::FanOut(const QueueItem& item, const engine::Workspace& ws,
                    const std::vector<std::string>& files) {
  std::vector<std::string> queued, skipped;
  for (const std::string& file : files) {
    engine::LoadedPipeline loaded = engine::LoadPipeline(ws.root + "/" + file, ws.root);
    std::string why = loaded.ok() ? SkipReason(loaded.pipeline().triggers, item, ws.root)
                                  : LoadError(loaded, file);
    if (!why.empty()) {
      skipped.push_back(file + ": " + why);
      continue;
    }
    QueueItem child = item;
    child.pipeline = file;
    child.delivery.clear();  // the delivery was claimed by this item
    child.run_id = 0;
    auto id = db_->Enqueue(child, "pipelines", NowMs());
    if (!id.ok() || !*id) {
      skipped.push_back(file + ": not queued: " + (id.ok() ? "" : id.error().message));
      continue;
    }
    queued.push_back(fmt::format("{} (queue {})", file, **id));
  }
  std::string reason = queued.empty() ? "" : fmt::format("queued {}", fmt::join(queued, ", "));
  if (!skipped.empty())
    reason += (reason.empty() ? "" : "; ") + fmt::format("not {}", fmt::join(skipped, "; "));
  Finish(item, queued.empty() ? "ignored" : "done", reason);
  if (!queued.empty()) Wake();
}

// `on.run`: the pipeline files at the commit (the workspace is still there) whose `on.run`
// takes the ended run are queued at the same commit, up to kMaxChainDepth links.
void Server::ChainAfter(const QueueItem& item, const engine::Workspace& ws, const EndedRun& run) {
  if (ChainDepth(item) >= kMaxChainDepth) return;
  bool any = false;
  for (const std::string& file : PipelineFiles(ws.root, config_.pipeline)) {
    engine::LoadedPipeline loaded = engine::LoadPipeline(ws.root + "/" + file, ws.root);
    if (!loaded.ok() || !ChainTakes(loaded.pipeline().triggers, run)) continue;
    QueueItem next = ChainedItem(item, run, file);
    auto id = db_->Enqueue(next, "run", NowMs());
    if (!id.ok() || !*id) {
      Say(&item, "error",
          file + " not queued after the run: " + (id.ok() ? "" : id.error().message));
      continue;
    }
    next.id = **id;
    Say(&next, "queued", fmt::format("{} after run {} of {} ({})", file, run.id, run.pipeline,
                                     run.status));
    any = true;
  }
  if (any) Wake();
}

}  // namespace gauntlet::server
