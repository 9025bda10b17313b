// `on:` in its GitHub forms (a string, a list of events, a map of events) and the
// seed spelling `trigger: {branches, events, paths, schedule}`; both fill Triggers.
#include <algorithm>

#include "spec/cron_check.h"
#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

const std::vector<std::string> kEvents = {"push", "pull_request", "schedule", "webhook", "manual"};

void AddEvent(Triggers* t, const std::string& e) {
  if (std::find(t->events.begin(), t->events.end(), e) == t->events.end()) t->events.push_back(e);
}

void ReadCron(LoadState& s, const YamlNode* n, Triggers* t) {
  std::string cron;
  if (!s.reader.String(n, &cron)) return;
  if (auto problem = CheckCron(cron)) {
    s.reader.problems()->Error(s.reader.LocAt(n, problem->offset), problem->message, problem->hint);
    return;
  }
  t->schedules.push_back(cron);
}

// `schedule: [{cron: "0 3 * * *"}]` (GitHub) or `schedule: ["0 3 * * *"]` / a lone string.
void ReadSchedule(LoadState& s, const YamlNode* n, Triggers* t) {
  std::vector<const YamlNode*> items;
  if (n->is_sequence())
    items = n->items;
  else
    items.push_back(n);
  for (const YamlNode* item : items) {
    if (item->is_map()) {
      s.reader.ForEach(
          item, "schedule", {"cron"},
          [&](const std::string&, const YamlNode*, const YamlNode* v) { ReadCron(s, v, t); });
    } else {
      ReadCron(s, item, t);
    }
  }
}

void ReadEventList(LoadState& s, const YamlNode* n, Triggers* t) {
  std::vector<const YamlNode*> items;
  if (n->is_sequence())
    items = n->items;
  else
    items.push_back(n);
  for (const YamlNode* item : items) {
    std::string e;
    if (!s.reader.Enum(item, &e, "event", kEvents)) continue;
    if (e == "schedule") {
      s.reader.Error(item, "event 'schedule' needs a cron expression",
                     "on: {schedule: [{cron: \"0 3 * * *\"}]}");
      continue;
    }
    if (e == "webhook") t->webhook = true;
    AddEvent(t, e);
  }
}

// `webhook:` and `manual:` take nothing (or an empty map).
void NoSettings(LoadState& s, const YamlNode* v, const std::string& event) {
  if (v->is_null() || (v->is_map() && v->pairs() == 0)) return;
  s.reader.Error(v->is_map() ? v->key(0) : v, "event '" + event + "' takes no settings",
                 "write " + event + ": {}");
}

void ReadOnMap(LoadState& s, const YamlNode* n, Triggers* t) {
  s.reader.ForEach(n, "on", kEvents, [&](const std::string& e, const YamlNode*, const YamlNode* v) {
    AddEvent(t, e);
    if (e == "schedule") return ReadSchedule(s, v, t);
    if (e == "webhook") {
      t->webhook = true;
      return NoSettings(s, v, e);
    }
    if (v->is_null()) return;
    if (e == "push") {
      s.reader.ForEach(v, "on.push", {"branches", "paths"},
                       [&](const std::string& key, const YamlNode*, const YamlNode* w) {
                         s.reader.StringList(w, key == "branches" ? &t->branches : &t->paths, true);
                       });
    } else if (e == "pull_request") {
      s.reader.ForEach(v, "on.pull_request", {"branches"},
                       [&](const std::string&, const YamlNode*, const YamlNode* w) {
                         s.reader.StringList(w, &t->pull_request_branches, true);
                       });
    } else {
      NoSettings(s, v, e);
    }
  });
}

void ReadSeedTrigger(LoadState& s, const YamlNode* n, Triggers* t) {
  s.reader.ForEach(n, "trigger", {"branches", "events", "paths", "schedule", "webhook"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "branches") s.reader.StringList(v, &t->branches, true);
                     if (key == "paths") s.reader.StringList(v, &t->paths, true);
                     if (key == "schedule") {
                       ReadSchedule(s, v, t);
                       AddEvent(t, "schedule");
                     }
                     if (key == "webhook") {
                       s.reader.Bool(v, &t->webhook);
                       if (t->webhook) AddEvent(t, "webhook");
                     }
                     if (key == "events") {
                       std::vector<const YamlNode*> items;
                       if (v->is_sequence())
                         items = v->items;
                       else
                         items.push_back(v);
                       for (const YamlNode* item : items) {
                         std::string e;
                         if (!s.reader.Enum(item, &e, "event", kEvents)) continue;
                         if (e == "webhook") t->webhook = true;
                         AddEvent(t, e);
                       }
                     }
                   });
  if (std::find(t->events.begin(), t->events.end(), "schedule") != t->events.end() &&
      t->schedules.empty()) {
    s.reader.Error(n, "event 'schedule' needs a cron expression",
                   "trigger: {schedule: [\"0 3 * * *\"]}");
  }
}

}  // namespace

void ReadTriggers(LoadState& s, const YamlNode* n, bool seed_spelling) {
  Triggers& t = s.pipeline.triggers;
  t.loc = s.reader.Loc(n);
  if (n->is_null()) return;
  if (seed_spelling) {
    ReadSeedTrigger(s, n, &t);
  } else if (n->is_map()) {
    ReadOnMap(s, n, &t);
  } else {
    ReadEventList(s, n, &t);
  }
  // Branch and path filters of the seed spelling mean push.
  if (seed_spelling && t.events.empty() && (!t.branches.empty() || !t.paths.empty()))
    t.events.push_back("push");
}

}  // namespace gauntlet::spec
