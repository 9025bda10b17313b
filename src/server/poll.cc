// Polling: each repository watched with an interval is fetched into its mirror under the
// state directory (vcs/mirror.h); every branch or tag that moved since the last fetch is
// queued as a push, so `on: push` (branches, tags, paths) decides as for a webhook.
#include <fmt/core.h>

#include <map>
#include <nlohmann/json.hpp>

#include "server/server.h"
#include "vcs/mirror.h"

namespace gauntlet::server {

QueueItem PushItem(const std::string& repo, const std::string& ref, const std::string& before,
                   const std::string& after, const std::string& pusher) {
  const std::string zero(40, '0');
  const bool deleted = after == zero;
  QueueItem item;
  item.repo = repo;
  item.event = "push";
  item.ref = ref;
  item.commit = deleted ? before : after;
  item.payload = nlohmann::json{{"ref", ref},
                                {"before", before},
                                {"after", after},
                                {"created", before == zero},
                                {"deleted", deleted},
                                {"repository", {{"name", repo}}},
                                {"pusher", {{"name", pusher}}},
                                {"commits", nlohmann::json::array()}}
                     .dump();
  return item;
}

void Server::PollOnce(const WatchedRepo& repo) {
  auto fetched = vcs::FetchMirror(repo.source, repo.mirror);
  if (!fetched.ok())
    return Say(nullptr, "poll of " + repo.name + " failed", fetched.error().message);
  if (fetched->created)
    Say(nullptr, "polling " + repo.name,
        fmt::format("every {} s, from {} (mirror {})", repo.poll_s, repo.source, repo.mirror));
  bool queued = false;
  for (const vcs::RefMove& m : fetched->moves) {
    QueueItem item = PushItem(repo.name, m.ref, m.before, m.after, "poll");
    auto id = db_->Enqueue(item, "poll", NowMs());
    if (!id.ok() || !*id) {
      // Not accepted either: the next poll finds the same move and tries again.
      return Say(nullptr, "poll of " + repo.name + " not queued",
                 id.ok() ? m.ref : id.error().message);
    }
    item.id = **id;
    Say(&item, "queued", "poll: " + m.before.substr(0, 12) + ".." + m.after.substr(0, 12));
    queued = true;
  }
  if (queued) Wake();
  if (Status s = vcs::AcceptMoves(repo.mirror, fetched->moves); !s.ok())
    Say(nullptr, "poll of " + repo.name + " not recorded", s.error().message);
}

void Server::PollLoop() {
  std::map<std::string, std::chrono::steady_clock::time_point> due;  // by repository
  while (true) {
    auto next = std::chrono::steady_clock::time_point::max();
    for (const WatchedRepo& repo : config_.repos) {
      if (repo.poll_s <= 0) continue;
      auto it = due.find(repo.name);
      if (it == due.end() || std::chrono::steady_clock::now() >= it->second) {
        PollOnce(repo);
        // From the end of this fetch: a slow remote is not asked again at once.
        it = due.insert_or_assign(
                    repo.name, std::chrono::steady_clock::now() + std::chrono::seconds(repo.poll_s))
                 .first;
      }
      next = std::min(next, it->second);
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (next == std::chrono::steady_clock::time_point::max()) return;
    if (wake_.wait_until(lock, next, [&] { return stopping_; })) return;
  }
}

}  // namespace gauntlet::server
