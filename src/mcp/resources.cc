#include "mcp/resources.h"

#include <fmt/core.h>

#include <charconv>
#include <set>

#include "core/clock.h"
#include "engine/log_follow.h"
#include "engine/run_detail.h"
#include "engine/views_deploy.h"
#include "engine/views_run.h"
#include "mcp/tools_common.h"

namespace gauntlet::mcp {
namespace {

using nlohmann::json;
constexpr const char* kRuns = "gauntlet://runs/";
constexpr const char* kDeployments = "gauntlet://deployments/";

json Contents(const std::string& uri, const std::string& mime, std::string text) {
  return {{"contents", json::array({{{"uri", uri}, {"mimeType", mime}, {"text", std::move(text)}}})}};
}

std::optional<store::RunId> ParseId(std::string_view s) {
  store::RunId id = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size() || id <= 0) return std::nullopt;
  return id;
}

Result<json> ReadRun(History& h, const std::string& uri, std::string_view rest) {
  const size_t slash = rest.find('/');
  auto id = ParseId(rest.substr(0, slash));
  if (!id) return Error::NotFound("no such resource: " + uri);
  auto run = ResolveRun(*h.store, {{"run_id", *id}});
  if (!run.ok()) return run.error();
  if (slash == std::string_view::npos) {
    auto d = engine::ReadRunDetail(*h.store, *run);
    if (!d.ok()) return d.error();
    return Contents(uri, "application/json", engine::RunDetailJson(*d, RealClock().UnixMs())
                                                    .dump(-1, ' ', false, json::error_handler_t::replace));
  }
  std::string_view tail = rest.substr(slash + 1);
  if (!tail.starts_with("logs/")) return Error::NotFound("no such resource: " + uri);
  const std::string job(tail.substr(5));
  auto jobs = h.store->GetJobs(*id);
  if (!jobs.ok()) return jobs.error();
  std::optional<uint32_t> index;
  for (const store::JobRecord& j : *jobs)
    if (j.name == job) index = static_cast<uint32_t>(j.index);
  if (!index) return Error::NotFound(fmt::format("run {} has no job '{}'", *id, job));
  std::string text;
  Status s = engine::ReadRunLog(*h.store, h.ws, *id, {}, [&](const store::LogChunk& ch) {
    if (ch.job == *index && !ch.truncation_marker) text += ch.data;
  });
  if (!s.ok()) return s.error();
  return Contents(uri, "text/plain", std::move(text));
}

}  // namespace

json ListResources(const Workplace& w) {
  json list = json::array();
  auto h = OpenHistory(w);
  if (!h.ok()) return {{"resources", list}};
  store::RunFilter filter;
  filter.limit = 20;
  if (auto runs = h->store->ListRuns(filter); runs.ok()) {
    for (const store::RunRecord& r : *runs)
      list.push_back({{"uri", fmt::format("{}{}", kRuns, r.id)},
                      {"name", fmt::format("run {}", r.id)},
                      {"description", fmt::format("run {} of {}: {}", r.id, r.pipeline,
                                                  engine::ShownStatus(r))},
                      {"mimeType", "application/json"}});
  }
  if (auto deps = h->store->ListDeployments("", 100); deps.ok()) {
    std::set<std::string> envs;
    for (const store::DeploymentRecord& d : *deps) envs.insert(d.environment);
    for (const std::string& e : envs)
      list.push_back({{"uri", kDeployments + e},
                      {"name", "deployments of " + e},
                      {"mimeType", "application/json"}});
  }
  return {{"resources", list}};
}

json ResourceTemplates() {
  return {{"resourceTemplates",
           {{{"uriTemplate", "gauntlet://runs/{run_id}"},
             {"name", "run"},
             {"description", "A run with its jobs (the run_status JSON)"},
             {"mimeType", "application/json"}},
            {{"uriTemplate", "gauntlet://runs/{run_id}/logs/{job}"},
             {"name", "job log"},
             {"description", "One job's log, secrets masked"},
             {"mimeType", "text/plain"}},
            {{"uriTemplate", "gauntlet://deployments/{environment}"},
             {"name", "deployments"},
             {"description", "The environment's newest ten deployments"},
             {"mimeType", "application/json"}}}}};
}

Result<json> ReadResource(const Workplace& w, const std::string& uri) {
  const bool run = uri.starts_with(kRuns), deployments = uri.starts_with(kDeployments);
  if (!run && !deployments) return Error::NotFound("no such resource: " + uri);
  auto h = OpenHistory(w);
  if (!h.ok()) return h.error();
  if (run) return ReadRun(*h, uri, std::string_view(uri).substr(std::string_view(kRuns).size()));
  const std::string env = uri.substr(std::string_view(kDeployments).size());
  auto list = h->store->ListDeployments(env, 10);
  if (!list.ok()) return list.error();
  json out = json::array();
  const int64_t now = RealClock().UnixMs();
  for (const store::DeploymentRecord& d : *list) {
    auto events = h->store->GetDeploymentEvents(d.id);
    out.push_back(engine::DeploymentJson(
        d, events.ok() ? *events : std::vector<store::DeploymentEvent>{}, false, now));
  }
  return Contents(uri, "application/json",
                  out.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace gauntlet::mcp
