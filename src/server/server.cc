#include "server/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <map>

#include <cctz/time_zone.h>
#include <fmt/core.h>
#include <fmt/format.h>

#include "engine/deployment.h"
#include "engine/notify.h"
#include "server/http_mcp.h"
#include "server/schedules.h"

namespace gauntlet::server {

// How long a stopping server gives the notifications left to deliver.
constexpr std::chrono::seconds kNotifyGrace(5);

engine::Workspace RepoWorkspace(const ServerConfig& config, const WatchedRepo& repo) {
  engine::Workspace ws;
  ws.root = config.state_dir + "/workspaces/" + repo.name;
  ws.state_dir = config.state_dir + "/repos/" + repo.name;
  return ws;
}

std::string FreshRoot(const ServerConfig& config, const WatchedRepo& repo, int64_t item) {
  return config.state_dir + "/workspaces/" + repo.name + "@" + std::to_string(item);
}

Server::Server(ServerConfig config)
    : config_(std::move(config)), limiter_(config_.rate_limit) {}

Server::~Server() {
  Stop();
  for (std::thread& w : workers_)
    if (w.joinable()) w.join();
  if (admitter_.joinable()) admitter_.join();
  if (scheduler_.joinable()) scheduler_.join();
  if (poller_.joinable()) poller_.join();
  if (notifier_) notifier_->Stop(std::chrono::milliseconds(0));  // its lines use events_
}

const WatchedRepo* Server::FindRepo(const std::string& name) const {
  for (const WatchedRepo& r : config_.repos)
    if (r.name == name) return &r;
  return nullptr;
}

Status Server::Start() {
  if (config_.repos.empty()) return Error::Invalid("no repository to watch: give --repo PATH");
  if (config_.slots < 1) return Error::Invalid("--slots must be at least 1");
  for (const WatchedRepo& r : config_.repos) {
    // Names become directory names under the state directory: no way out of it.
    if (r.name.empty() || r.name == "." || r.name == ".." ||
        r.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789._-") != std::string::npos)
      return Error::Invalid("repository name '" + r.name +
                            "' may hold only letters, digits, '.', '_' and '-'");
    for (const WatchedRepo& other : config_.repos)
      if (&other != &r && other.name == r.name)
        return Error::Invalid("two repositories are named '" + r.name + "': name one NAME=PATH");
  }
  for (WatchedRepo& r : config_.repos) {
    if (r.workspace.empty()) r.workspace = config_.workspace;
    if (r.workspace != "kept" && r.workspace != "fresh")
      return Error::Invalid("the workspace of '" + r.name + "' is '" + r.workspace +
                            "': kept or fresh");
    if (r.poll_s < 0) return Error::Invalid("the poll interval of '" + r.name + "' is negative");
    if (r.poll_s > 0) r.mirror = config_.state_dir + "/mirrors/" + r.name + ".git";
  }
  std::error_code ec;
  std::filesystem::create_directories(config_.state_dir, ec);
  if (ec) return Error::Errno("creating " + config_.state_dir, ec.value());
  auto db = ServerDb::Open(config_.state_dir + "/server.db");
  if (!db.ok()) return db.error();
  db_ = std::move(*db);
  if (auto requeued = db_->Requeue(); !requeued.ok()) return requeued.error();
  pruned_at_start_ = PruneWorkspaces();  // said once the listening line is out (Serve)
  if (config_.tls_cert.empty() != config_.tls_key.empty())
    return Error::Invalid("TLS needs both --tls-cert and --tls-key");
  if (config_.tls_cert.empty()) {
    http_ = std::make_unique<httplib::Server>();
  } else {
    for (const std::string& f : {config_.tls_cert, config_.tls_key})
      if (!std::filesystem::is_regular_file(f, ec)) return Error::NotFound("cannot read " + f);
    auto tls = std::make_unique<httplib::SSLServer>(config_.tls_cert.c_str(), config_.tls_key.c_str());
    if (!tls->is_valid())
      return Error::Invalid("the TLS certificate " + config_.tls_cert + " or key " +
                            config_.tls_key + " cannot be used (PEM files of one key pair)");
    http_ = std::move(tls);
  }
  // cpp-httplib listens with a backlog of 5: a burst of webhook deliveries would find the
  // queue full and see resets. The socket is noted here and given the system's maximum
  // once bound (listen(2) again only changes the backlog).
  http_->set_socket_options([this](int sock) {
    httplib::default_socket_options(sock);
    listener_ = sock;
  });
  InstallRoutes();
  port_ = config_.port == 0 ? http_->bind_to_any_port(config_.host)
                            : (http_->bind_to_port(config_.host, config_.port) ? config_.port : -1);
  if (port_ <= 0)
    return Error{"cannot listen on " + config_.host + ":" + std::to_string(config_.port),
                 ErrorKind::kUnavailable};
  if (listener_ >= 0) ::listen(listener_, SOMAXCONN);
  notifier_ = std::make_unique<engine::Notifier>([this](const store::NotificationRecord& r) {
    Say(nullptr, "note",
        r.state == "delivered"
            ? fmt::format("notified {} ({} of run {}): {} after {} attempt{}", r.url, r.event,
                          r.run_id, r.status_code, r.attempts, r.attempts == 1 ? "" : "s")
            : fmt::format("notifying {} ({} of run {}) failed: {}", r.url, r.event, r.run_id,
                          r.error));
  });
  admitter_ = std::thread([this] { AdmitLoop(); });
  for (int i = 0; i < config_.slots; ++i) workers_.emplace_back([this] { WorkLoop(); });
  return Ok();
}

void Server::Serve() {
  // Started here, after the caller said where the server listens, so that line comes first.
  for (const std::string& path : pruned_at_start_)
    Say(nullptr, "note", "removed the kept workspace " + path);
  scheduler_ = std::thread([this] { ScheduleLoop(); });
  poller_ = std::thread([this] { PollLoop(); });
  if (http_) http_->listen_after_bind();
  // Stopped: once the runs under way have ended, what is left to notify gets a last
  // attempt, for kNotifyGrace at most (docs/server.md).
  for (std::thread& w : workers_)
    if (w.joinable()) w.join();
  if (notifier_) notifier_->Stop(kNotifyGrace);
}

std::string Server::RunUrl(const WatchedRepo& repo) const {
  std::string base = config_.public_url;
  if (base.empty())
    base = fmt::format("{}://{}:{}", config_.tls_cert.empty() ? "http" : "https", config_.host, port_);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v1/runs/{run}?repo=" + repo.name;
}

void Server::Stop() {
  if (notifier_) notifier_->Close();  // before the runs are cancelled
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [repo, run] : running_) {
      if (run.handle) run.handle->Cancel();
      if (run.deployment) run.deployment->Cancel();
    }
  }
  wake_.notify_all();
  item_changed_.notify_all();  // long polls answer now, so the HTTP threads can end
  if (mcp_) mcp_->Stop();
  events_.Close();             // and event streams end
  // cpp-httplib's stop() acts only on a server already in its accept loop: a signal that
  // came between Start() and that loop (right after the listening line, say) was lost and
  // the loop then waited for ever. Shutting the listening socket down first ends the loop
  // whenever it starts: accept() on it fails at once. (The socket is still open here:
  // only stop() below or the loop's end closes it.)
  if (listener_ >= 0) ::shutdown(listener_, SHUT_RDWR);
  if (http_) http_->stop();
}

void Server::ItemChanged() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++item_epoch_;
  }
  item_changed_.notify_all();
}

int64_t Server::WaitForQueueChange(int64_t since, std::chrono::seconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (since >= 0 && timeout.count() > 0)
    item_changed_.wait_for(lock, timeout, [&] { return stopping_ || item_epoch_ != since; });
  return item_epoch_;
}

Result<std::optional<QueueItem>> Server::WaitForItem(int64_t id, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int64_t epoch = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      epoch = item_epoch_;
    }
    auto item = db_->GetItem(id);
    if (!item.ok() || !*item) return item;
    const std::string& state = (*item)->state;
    if (state == "done" || state == "ignored" || state == "error" || state == "cancelled")
      return item;
    // Read after `epoch`: a change since then makes the wait return at once.
    std::unique_lock<std::mutex> lock(mu_);
    if (!item_changed_.wait_until(lock, deadline,
                                  [&] { return stopping_ || item_epoch_ != epoch; }) ||
        stopping_)
      return item;
  }
}

void Server::ScheduleLoop() {
  constexpr int64_t kRereadS = 60;  // a pushed change of `on: schedule` is seen within this
  std::map<std::string, std::string> said;  // the last problem said per repository
  std::string watched;  // the keys of the schedules last said (none: nothing to say)
  while (true) {
    const int64_t now_s = NowMs() / 1000;
    std::vector<WatchedSchedule> all;
    for (const WatchedRepo& repo : config_.repos) {
      std::error_code ec;
      // A polled repository's schedules wait for its first fetch.
      if (!repo.mirror.empty() && !std::filesystem::exists(repo.mirror + "/HEAD", ec)) continue;
      // A file that does not load is said; the other files' schedules are still watched.
      std::vector<std::string> problems;
      auto found = ReadSchedules(repo.name, repo.local(), config_.pipeline, &problems);
      if (!found.ok()) problems.push_back(found.error().message);
      std::string problem = fmt::format("{}", fmt::join(problems, "; "));
      if (problem != said[repo.name] && !problem.empty())
        Say(nullptr, "schedules of " + repo.name + " not read", problem);
      said[repo.name] = problem;
      if (found.ok()) all.insert(all.end(), found->begin(), found->end());
    }
    for (const std::string& path : PruneWorkspaces())  // each minute at least
      Say(nullptr, "note", "removed the kept workspace " + path);
    FireResult fired = FireDue(*db_, all, now_s);
    for (const std::string& e : fired.errors) Say(nullptr, "error", e);
    for (const QueueItem& item : fired.queued) Say(&item, "queued", "schedule");
    if (!fired.queued.empty()) Wake();
    std::string keys;
    for (const WatchedSchedule& w : all) keys += w.Key() + "\n";
    if (keys != watched) {  // said after the fires above: what a start owed has been queued
      watched = keys;
      Say(nullptr, fmt::format("watching {} schedule{}", all.size(), all.size() == 1 ? "" : "s"),
          fired.next_s ? "next at " + cctz::format("%Y-%m-%dT%H:%M:%SZ",
                                                   std::chrono::system_clock::from_time_t(
                                                       static_cast<time_t>(*fired.next_s)),
                                                   cctz::utc_time_zone())
                       : "");
    }
    const int64_t wake_s = std::min(fired.next_s.value_or(now_s + kRereadS), now_s + kRereadS);
    std::unique_lock<std::mutex> lock(mu_);
    if (wake_.wait_until(lock,
                         std::chrono::system_clock::time_point(std::chrono::seconds(wake_s)),
                         [&] { return stopping_; }))
      return;
  }
}

void Server::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++admit_wakes_;  // the admitter admits it, then wakes the workers
  }
  wake_.notify_all();
}

void Server::EndFresh(const QueueItem& item) {
  const WatchedRepo* repo = FindRepo(item.repo);
  if (!repo || repo->workspace != "fresh" || item.event == "release") return;
  const std::string root = FreshRoot(config_, *repo, item.id);
  auto now = db_->GetItem(item.id);
  if (!now.ok() || !*now) return;
  const QueueItem& ended = **now;
  std::error_code ec;
  // Removed when the run succeeded or nothing ran in it (ignored; a commit's item split
  // into one item per pipeline file).
  if (ended.state == "ignored" ||
      (ended.state == "done" && (ended.reason == "success" || ended.run_id == 0))) {
    std::filesystem::remove_all(root, ec);
    if (ec) Say(&ended, "note", "the workspace " + root + " could not be removed: " + ec.message());
    return;
  }
  if (ended.state == "running") return;  // stopped with the server: resumed in it
  if (!std::filesystem::exists(root, ec)) return;
  // The keep time counts from now, not from the checkout.
  std::filesystem::last_write_time(root, std::filesystem::file_time_type::clock::now(), ec);
  Say(&ended, "note", fmt::format("workspace kept for {} s: {}", config_.keep_failed_s, root));
}

std::vector<std::string> Server::PruneWorkspaces() {
  namespace fs = std::filesystem;
  const auto cutoff =
      fs::file_time_type::clock::now() - std::chrono::seconds(config_.keep_failed_s);
  std::vector<fs::path> old;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(config_.state_dir + "/workspaces", ec)) {
    const std::string name = e.path().filename().string();
    const size_t at = name.rfind('@');  // NAME@ID: a fresh one; a kept one has no '@'
    if (at == std::string::npos || name.size() - at - 1 < 1 || name.size() - at - 1 > 18 ||
        name.find_first_not_of("0123456789", at + 1) != std::string::npos)
      continue;
    auto item = db_->GetItem(std::stoll(name.substr(at + 1)));
    if (item.ok() && *item && ((*item)->state == "queued" || (*item)->state == "running")) continue;
    std::error_code time_ec;
    if (e.last_write_time(time_ec) <= cutoff && !time_ec) old.push_back(e.path());
  }
  std::vector<std::string> removed;
  for (const fs::path& p : old) {
    std::error_code rm_ec;
    if (fs::remove_all(p, rm_ec) > 0 && !rm_ec) removed.push_back(p.string());
  }
  return removed;
}

}  // namespace gauntlet::server
