#include "server/schedules.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "spec/load.h"
#include "vcs/checkout.h"

namespace gauntlet::server {

namespace {

// The schedules of one file at the head `head` (its commit and branch): `on: schedule`,
// and `release.schedule` for the configured pipeline file (`workflow` false).
Status AddSchedules(const std::string& repo_name, const vcs::CommittedFile& head,
                    const std::string& file, bool workflow, std::vector<WatchedSchedule>* out) {
  spec::LoadResult loaded = spec::LoadString(head.content, file);
  for (const spec::Problem& p : loaded.problems.all()) {
    if (p.severity != spec::Severity::kError) continue;
    return Error::Invalid(fmt::format("{}:{}:{} at {}: {}", file, p.loc.line, p.loc.col,
                                      head.commit.substr(0, 12), p.message));
  }
  const spec::Triggers& on = loaded.pipeline.triggers;
  for (size_t i = 0; i < on.schedules.size(); ++i) {
    const std::string zone = i < on.schedule_zones.size() ? on.schedule_zones[i] : "";
    auto when = CronSchedule::Parse(on.schedules[i], zone);
    if (!when.ok()) return when.error();
    out->push_back({repo_name, head.branch, head.commit, on.schedules[i], zone, *when});
    if (workflow) out->back().file = file;
  }
  const spec::Release& release = loaded.pipeline.release;
  if (!workflow && release.present && !release.schedule.empty()) {
    auto when = CronSchedule::Parse(release.schedule, release.timezone);
    if (!when.ok()) return when.error();
    out->push_back({repo_name, head.branch, head.commit, release.schedule, release.timezone,
                    *when, true, release.when});
  }
  return Ok();
}

}  // namespace

Result<std::vector<WatchedSchedule>> ReadSchedules(const std::string& repo_name,
                                                   const std::string& source,
                                                   const std::string& pipeline,
                                                   std::vector<std::string>* problems) {
  if (source.find("://") != std::string::npos)
    return Error::Invalid("schedules are read from a local repository; " + source +
                          " is a URL: watch it with --poll SECONDS");
  // Every file is read at the commit HEAD names when the first is read, so one push
  // between two reads cannot mix two commits' schedules.
  auto head = vcs::ReadCommittedFile(source, "HEAD", pipeline);
  if (!head.ok()) return head.error();
  const std::string dir = ".github/workflows";
  auto names = vcs::ListCommittedDir(source, head->commit, dir);
  if (!names.ok()) return names.error();
  std::vector<WatchedSchedule> out;
  std::optional<Error> first;
  auto add = [&](const vcs::CommittedFile& file, const std::string& path, bool workflow) {
    if (!file.found) return;
    Status added = AddSchedules(repo_name, file, path, workflow, &out);
    if (added.ok()) return;
    if (problems) problems->push_back(added.error().message);
    if (!first) first = added.error();
  };
  add(*head, pipeline, false);
  for (const std::string& name : *names) {
    if (!name.ends_with(".yml") && !name.ends_with(".yaml")) continue;
    auto file = vcs::ReadCommittedFile(source, head->commit, dir + "/" + name);
    if (!file.ok()) return file.error();
    file->branch = head->branch;
    add(*file, dir + "/" + name, true);
  }
  // Without `problems` the caller wants all or nothing, as before workflows had schedules.
  if (first && !problems) return *first;
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
      item.pipeline = s.file;
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
