#include "server/pipelines.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "server/pull_request.h"
#include "server/push.h"
#include "server/schedules.h"
#include "vcs/changes.h"
#include "vcs/repo.h"

namespace gauntlet::server {
namespace {

using nlohmann::json;

bool Has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string PushReason(const spec::Triggers& on, const json& payload, const std::string& workdir) {
  auto push = ParseGithubPush(payload);
  if (!push.ok()) return push.error().message;
  std::vector<std::string> changed;
  bool known = false;
  const bool filtered = !on.paths.empty() || !on.paths_ignore.empty();
  if (filtered && push->tag().empty() && push->before != std::string(40, '0')) {
    auto files = vcs::ChangedFiles(workdir, push->before, push->after);
    known = files.ok();
    if (known) changed = std::move(*files);
  }
  std::string why;
  return PushRuns(on, *push, changed, known, &why) ? "" : why;
}

std::string PullRequestReason(const spec::Triggers& on, const json& payload,
                              const std::string& workdir) {
  auto pr = ParseGithubPullRequest(payload);
  if (!pr.ok()) return pr.error().message;
  std::string why;
  if (!PullRequestRuns(on, *pr, &why)) return why;
  if (on.pull_request_paths.empty() && on.pull_request_paths_ignore.empty()) return "";
  // The files the pull request changes: from the merge-base of its base and head (the
  // workspace is at the head), as GitHub's three-dot diff. The base is the payload's
  // `pull_request.base.sha`, else the fetched base branch; neither known: it runs.
  std::string base;
  const json& p = payload["pull_request"];
  if (p.contains("base") && p["base"].is_object() && p["base"].contains("sha") &&
      p["base"]["sha"].is_string() && IsCommitId(p["base"]["sha"].get<std::string>()))
    base = p["base"]["sha"].get<std::string>();
  else
    base = "refs/remotes/origin/" + pr->base_ref;
  auto changes = vcs::ChangedFilesForRun(workdir, base);
  if (!changes.ok()) return "";
  return PathsReason(on, on.pull_request_paths, on.pull_request_paths_ignore, changes->files,
                     "pull_request");
}

std::string ScheduleReason(const spec::Triggers& on, const std::string& payload) {
  for (size_t i = 0; i < on.schedules.size(); ++i) {
    const std::string z = i < on.schedule_zones.size() ? on.schedule_zones[i] : "";
    if (PayloadNames(payload, on.schedules[i], z)) return "";
  }
  auto p = json::parse(payload, nullptr, false);
  return "the pipeline file at this commit has no schedule \"" +
         (p.is_object() ? p.value("schedule", "") : "") + "\"";
}

std::string WebhookReason(const spec::Triggers& on, const json& payload) {
  const std::string name = payload.is_object() ? payload.value("webhook", "") : "";
  if (!Has(on.events, "webhook")) return "the pipeline's on: has no webhook";
  if (!on.webhook_names.empty() && !Has(on.webhook_names, name))
    return "webhook '" + name + "' is not in on.webhook.name";
  return "";
}

}  // namespace

std::vector<std::string> PipelineFiles(const std::string& workdir, const std::string& main_file) {
  std::vector<std::string> files;
  std::error_code ec;
  if (std::filesystem::is_regular_file(workdir + "/" + main_file, ec)) files.push_back(main_file);
  std::vector<std::string> workflows;
  const std::string dir = ".github/workflows";
  for (auto it = std::filesystem::directory_iterator(workdir + "/" + dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if ((name.ends_with(".yml") || name.ends_with(".yaml")) && it->is_regular_file(ec))
      workflows.push_back(dir + "/" + name);
  }
  std::sort(workflows.begin(), workflows.end());
  for (std::string& w : workflows)
    if (!Has(files, w)) files.push_back(std::move(w));
  return files;
}

std::string SkipReason(const spec::Triggers& on, const QueueItem& item,
                       const std::string& workdir) {
  const json payload = json::parse(item.payload, nullptr, false);
  if (item.event == "push") return PushReason(on, payload, workdir);
  if (item.event == "pull_request") return PullRequestReason(on, payload, workdir);
  if (item.event == "schedule") return ScheduleReason(on, item.payload);
  if (item.event == "webhook") return WebhookReason(on, payload);
  if (item.event == "run") {
    const json& run = payload.is_object() ? payload.value("run", json()) : json();
    EndedRun ended;
    if (run.is_object()) {
      ended.pipeline = run.value("pipeline", "");
      ended.status = run.value("status", "");
    }
    if (!Has(on.events, "run")) return "the pipeline's on: has no run";
    return ChainTakes(on, ended)
               ? ""
               : "on.run does not take a " + ended.status + " run of " + ended.pipeline;
  }
  return "";
}

int ChainDepth(const QueueItem& item) {
  if (item.event != "run") return 0;
  const json p = json::parse(item.payload, nullptr, false);
  return p.is_object() && p.contains("depth") && p["depth"].is_number_integer()
             ? p["depth"].get<int>()
             : 1;
}

bool ChainTakes(const spec::Triggers& on, const EndedRun& run) {
  return Has(on.events, "run") && Has(on.run_pipelines, run.pipeline) &&
         (on.run_statuses.empty() || Has(on.run_statuses, run.status));
}

QueueItem ChainedItem(const QueueItem& after, const EndedRun& run, const std::string& file) {
  QueueItem item;
  item.repo = after.repo;
  item.event = "run";
  item.ref = after.ref;
  item.commit = after.commit;
  item.pipeline = file;
  const std::string heads = "refs/heads/";
  const std::string branch = after.ref.rfind(heads, 0) == 0 ? after.ref.substr(heads.size()) : "";
  item.payload = json{
      {"ref", after.ref},
      {"sha", after.commit},
      {"depth", ChainDepth(after) + 1},
      {"run",
       {{"id", run.id},
        {"pipeline", run.pipeline},
        {"file", run.file},
        {"status", run.status},
        {"event", after.event},
        {"queue", after.id}}},
      // GitHub's shape, for workflows reading github.event.workflow_run.
      {"workflow_run",
       {{"id", run.id},
        {"name", run.pipeline},
        {"path", run.file},
        {"status", "completed"},
        {"conclusion", run.status == "failed" ? "failure" : run.status},
        {"event", after.event},
        {"head_sha", after.commit},
        {"head_branch",
         branch}}}}.dump();
  return item;
}

}  // namespace gauntlet::server
