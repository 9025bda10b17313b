#include "mcp/subscriptions.h"

#include <fmt/core.h>

#include <charconv>
#include <vector>

#include "mcp/jsonrpc.h"
#include "mcp/tools_common.h"

namespace gauntlet::mcp {
namespace {

constexpr std::string_view kRuns = "gauntlet://runs/";
constexpr std::string_view kDeployments = "gauntlet://deployments/";

Result<std::string> RunFingerprint(store::Store& s, const std::string& uri) {
  const std::string_view id_text = std::string_view(uri).substr(kRuns.size());
  store::RunId id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  // A job's log (runs/ID/logs/JOB) grows with every line: not something to subscribe to.
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id <= 0)
    return Error::NotFound("cannot subscribe to " + uri +
                           ": only gauntlet://runs/ID and gauntlet://deployments/ENV");
  auto run = s.GetRun(id);
  if (!run.ok()) return run.error();
  if (!*run) return Error::NotFound(fmt::format("no run {}", id));
  auto jobs = s.GetJobs(id);
  if (!jobs.ok()) return jobs.error();
  std::string f = fmt::format("{}|{}", store::ToString((*run)->status), (*run)->reason);
  for (const store::JobRecord& j : *jobs)
    f += fmt::format("|{}:{}:{}", j.name, store::ToString(j.status), j.attempts);
  return f;
}

Result<std::string> DeploymentsFingerprint(store::Store& s, const std::string& env) {
  auto list = s.ListDeployments(env, 10);
  if (!list.ok()) return list.error();
  std::string f;
  for (const store::DeploymentRecord& d : *list)
    f += fmt::format("|{}:{}:{}:{}:{}:{}", d.id, d.state, d.phase, d.step, d.weight, d.request);
  return f;
}

}  // namespace

Result<std::string> ResourceFingerprint(const Workplace& w, const std::string& uri) {
  const bool run = uri.starts_with(kRuns), deployments = uri.starts_with(kDeployments);
  if ((!run && !deployments) || uri.size() == (run ? kRuns : kDeployments).size())
    return Error::NotFound("no such resource: " + uri);
  auto h = OpenHistory(w);
  if (!h.ok()) return h.error();
  if (run) return RunFingerprint(*h->store, uri);
  return DeploymentsFingerprint(*h->store, uri.substr(kDeployments.size()));
}

Subscriptions::Subscriptions(Workplace workplace, Send send)
    : workplace_(std::move(workplace)), send_(std::move(send)) {}

Subscriptions::~Subscriptions() { Stop(); }

Status Subscriptions::Subscribe(const std::string& uri) {
  auto f = ResourceFingerprint(workplace_, uri);
  if (!f.ok()) return f.error();
  std::lock_guard lock(mu_);
  if (stopping_) return Error::Invalid("the session is ending");
  fingerprints_.try_emplace(uri, std::move(*f));
  if (!watcher_.joinable()) watcher_ = std::thread([this] { Watch(); });
  return Ok();
}

bool Subscriptions::Unsubscribe(const std::string& uri) {
  std::lock_guard lock(mu_);
  return fingerprints_.erase(uri) > 0;
}

void Subscriptions::Kick() {
  {
    std::lock_guard lock(mu_);
    kicked_ = true;
  }
  cv_.notify_all();
}

void Subscriptions::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void Subscriptions::Watch() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, kPollInterval, [this] { return kicked_ || stopping_; });
    if (stopping_) break;
    kicked_ = false;
    std::vector<std::string> uris;
    for (const auto& [uri, f] : fingerprints_) uris.push_back(uri);
    lock.unlock();
    // The store is read without the lock: a subscribe or a kick meanwhile waits for nothing.
    std::vector<std::pair<std::string, std::string>> now;
    for (const std::string& uri : uris)
      if (auto f = ResourceFingerprint(workplace_, uri); f.ok()) now.emplace_back(uri, *f);
    lock.lock();
    for (auto& [uri, f] : now) {
      auto it = fingerprints_.find(uri);
      if (it == fingerprints_.end() || it->second == f) continue;  // unsubscribed meanwhile
      it->second = std::move(f);
      lock.unlock();
      send_(Notification("notifications/resources/updated", {{"uri", uri}}));
      lock.lock();
    }
  }
}

}  // namespace gauntlet::mcp
