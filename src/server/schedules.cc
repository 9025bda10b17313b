#include "server/schedules.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "spec/load.h"
#include "vcs/checkout.h"

namespace gauntlet::server {

Result<std::vector<WatchedSchedule>> ReadSchedules(const std::string& repo_name,
                                                   const std::string& source,
                                                   const std::string& pipeline) {
  if (source.find("://") != std::string::npos)
    return Error::Invalid("schedules are read from a local repository; " + source +
                          " is a URL: watch it with --poll SECONDS");
  auto head = vcs::ReadCommittedFile(source, "HEAD", pipeline);
  if (!head.ok()) return head.error();
  std::vector<WatchedSchedule> out;
  if (!head->found) return out;
  spec::LoadResult loaded = spec::LoadString(head->content, pipeline);
  for (const spec::Problem& p : loaded.problems.all()) {
    if (p.severity != spec::Severity::kError) continue;
    return Error::Invalid(fmt::format("{}:{}:{} at {}: {}", pipeline, p.loc.line, p.loc.col,
                                      head->commit.substr(0, 12), p.message));
  }
  const spec::Triggers& on = loaded.pipeline.triggers;
  for (size_t i = 0; i < on.schedules.size(); ++i) {
    const std::string zone = i < on.schedule_zones.size() ? on.schedule_zones[i] : "";
    auto when = CronSchedule::Parse(on.schedules[i], zone);
    if (!when.ok()) return when.error();
    out.push_back({repo_name, head->branch, head->commit, on.schedules[i], zone, *when});
  }
  const spec::Release& release = loaded.pipeline.release;
  if (release.present && !release.schedule.empty()) {
    auto when = CronSchedule::Parse(release.schedule, release.timezone);
    if (!when.ok()) return when.error();
    out.push_back({repo_name, head->branch, head->commit, release.schedule, release.timezone,
                   *when, true, release.when});
  }
  return out;
}

std::string SchedulePayload(const WatchedSchedule& s, int64_t slot_s) {
  nlohmann::json j = {{"schedule", s.cron},
                      {"timezone", s.zone.empty() ? "UTC" : s.zone},
                      {"slot_unix", slot_s}};
  if (s.release) j.update({{"release", true}, {"when", s.release_when}});
  return j.dump();
}

bool PayloadNames(const std::string& payload, const std::string& cron, const std::string& zone) {
  auto p = nlohmann::json::parse(payload, nullptr, false);
  if (!p.is_object()) return false;
  std::string z = p.value("timezone", "");
  if (z == "UTC") z.clear();
  return p.value("schedule", "") == cron && z == zone;
}

FireResult FireDue(ServerDb& db, const std::vector<WatchedSchedule>& schedules, int64_t now_s) {
  FireResult out;
  for (const WatchedSchedule& s : schedules) {
    auto last = db.StartSchedule(s.Key(), now_s);
    if (!last.ok()) {
      out.errors.push_back("schedule \"" + s.cron + "\" of " + s.repo + ": " + last.error().message);
      continue;
    }
    if (std::optional<int64_t> slot = s.when.LastIn(*last, now_s)) {
      QueueItem item;
      item.repo = s.repo;
      item.event = s.release ? "release" : "schedule";
      item.ref = s.branch.empty() ? "" : "refs/heads/" + s.branch;
      item.commit = s.commit;
      item.payload = SchedulePayload(s, *slot);
      auto id = db.FireSchedule(s.Key(), *slot, item, now_s * 1000);
      if (!id.ok()) {
        out.errors.push_back("schedule \"" + s.cron + "\" of " + s.repo + ": " + id.error().message);
      } else if (*id) {
        item.id = **id;
        item.state = "queued";
        out.queued.push_back(std::move(item));
      }
    }
    if (auto next = s.when.NextAfter(now_s); next && (!out.next_s || *next < *out.next_s))
      out.next_s = next;
  }
  return out;
}

}  // namespace gauntlet::server
