// `on:` in its GitHub forms (a string, a list of events, a map of events) and the
// seed spelling `trigger: {branches, events, paths, schedule}`; both fill Triggers.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "spec/cron_check.h"
#include "spec/event_filter.h"
#include "spec/manual_inputs.h"
#include "spec/load_internal.h"

namespace gauntlet::spec {

// A time zone (load_internal.h) is "UTC" or a name of the system's zone database (tzdata):
// "Europe/Berlin" is /usr/share/zoneinfo/Europe/Berlin ($TZDIR when set).
bool KnownZone(const std::string& name) {
  if (name == "UTC") return true;
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("/_+-", c)) return false;
  const char* dir = std::getenv("TZDIR");
  std::error_code ec;
  return std::filesystem::is_regular_file(
      std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name, ec);
}

namespace {

const std::vector<std::string> kEvents = {"push",    "pull_request", "schedule",
                                          "webhook", "manual",       "run"};
// The statuses a finished run can end in (store/records.h), for `on.run.status`.
const std::vector<std::string> kEndStatuses = {"success", "failed", "cancelled", "skipped"};

void AddEvent(Triggers* t, const std::string& e) {
  if (std::find(t->events.begin(), t->events.end(), e) == t->events.end()) t->events.push_back(e);
}

void ReadCron(LoadState& s, const YamlNode* n, const YamlNode* zone, Triggers* t) {
  std::string cron, tz;
  if (!s.reader.String(n, &cron)) return;
  if (auto problem = CheckCron(cron)) {
    s.reader.problems()->Error(s.reader.LocAt(n, problem->offset), problem->message, problem->hint);
    return;
  }
  if (zone && (!s.reader.String(zone, &tz) || !KnownZone(tz))) {
    s.reader.Error(zone, "unknown time zone '" + tz + "'",
                   "an IANA name such as Europe/Berlin or America/New_York, or UTC (the "
                   "default)");
    return;
  }
  t->schedules.push_back(cron);
  t->schedule_zones.push_back(tz == "UTC" ? "" : tz);
}

// `schedule: [{cron: "0 3 * * *", timezone: Europe/Berlin}]` (GitHub's form, the zone
// optional) or `schedule: ["0 3 * * *"]` / a lone string.
void ReadSchedule(LoadState& s, const YamlNode* n, Triggers* t) {
  std::vector<const YamlNode*> items;
  if (n->is_sequence())
    items = n->items;
  else
    items.push_back(n);
  for (const YamlNode* item : items) {
    if (!item->is_map()) {
      ReadCron(s, item, nullptr, t);
      continue;
    }
    const YamlNode *cron = nullptr, *zone = nullptr;
    s.reader.ForEach(item, "schedule", {"cron", "timezone"},
                     [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                       (key == "cron" ? cron : zone) = v;
                     });
    if (cron)
      ReadCron(s, cron, zone, t);
    else
      s.reader.Error(item, "a schedule needs a cron expression", "- cron: \"0 3 * * *\"");
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
    if (e == "run") {
      s.reader.Error(item, "event 'run' needs the pipelines whose runs start this one",
                     "on: {run: {pipelines: [build], status: [success]}}");
      continue;
    }
    AddEvent(t, e);
  }
}

// GitHub's pull request activity types (docs.github.com, "Events that trigger workflows").
const std::vector<std::string> kPullRequestTypes = {
    "assigned",           "unassigned",         "labeled",          "unlabeled",
    "opened",             "edited",             "closed",           "reopened",
    "synchronize",        "converted_to_draft", "ready_for_review", "locked",
    "unlocked",           "review_requested",   "review_request_removed",
    "auto_merge_enabled", "auto_merge_disabled", "milestoned",      "demilestoned",
    "enqueued",           "dequeued"};

// One pattern list of on.EVENT (`where`), compiled as the server will match it, so a bad
// pattern is reported here. A list that only excludes selects nothing: GitHub refuses it.
void ReadFilterList(LoadState& s, const YamlNode* w, const std::string& where, bool selects,
                    std::vector<std::string>* out) {
  if (!s.reader.StringList(w, out, true)) return;
  const PatternSyntax syntax =
      s.pipeline.triggers.github_patterns ? PatternSyntax::kGithub : PatternSyntax::kGlob;
  auto list = FilterList::Compile(*out, syntax);
  if (!list.ok())
    s.reader.Error(w, where + ": " + list.error().message,
                   "'*' any characters but '/', '**' any, '!' first to exclude");
  else if (selects && list->OnlyNegations())
    s.reader.Error(w, "every pattern of " + where + " starts with '!', so it selects nothing",
                   "put a pattern that selects first: ['**', '!wip/**']");
}

// `on.push` / `on.pull_request` settings: branches, tags and paths filters (each with its
// -ignore form, which the plain form excludes, as on GitHub) and pull request `types`.
void ReadEventFilters(LoadState& s, const YamlNode* v, const std::string& event, Triggers* t) {
  if (v->is_null()) return;
  const bool push = event == "push";
  std::vector<std::string> keys = {"branches", "branches-ignore", "paths", "paths-ignore"};
  if (push) keys.insert(keys.end(), {"tags", "tags-ignore"});
  if (!push) keys.push_back("types");
  std::vector<std::string> seen;
  s.reader.ForEach(v, "on." + event, keys, [&](const std::string& key, const YamlNode*,
                                               const YamlNode* w) {
    const std::string where = "on." + event + "." + key;
    for (const char* base : {"branches", "tags", "paths"}) {
      const std::string b = base;
      if ((key == b && std::count(seen.begin(), seen.end(), b + "-ignore")) ||
          (key == b + "-ignore" && std::count(seen.begin(), seen.end(), b)))
        s.reader.Error(v, "on." + event + " has both " + b + " and " + b + "-ignore",
                       "keep one: " + b + ": [a, '!b'] selects a but not b");
    }
    seen.push_back(key);
    if (key == "types") {
      std::vector<const YamlNode*> items = w->is_sequence() ? w->items : std::vector{w};
      for (const YamlNode* item : items) {
        std::string type;
        if (s.reader.Enum(item, &type, "pull_request activity type", kPullRequestTypes))
          t->pull_request_types.push_back(type);
      }
      return;
    }
    std::vector<std::string>* out =
        key == "branches"          ? (push ? &t->branches : &t->pull_request_branches)
        : key == "branches-ignore" ? (push ? &t->branches_ignore : &t->pull_request_branches_ignore)
        : key == "tags"            ? &t->tags
        : key == "tags-ignore"     ? &t->tags_ignore
        : key == "paths"           ? (push ? &t->paths : &t->pull_request_paths)
                                   : (push ? &t->paths_ignore : &t->pull_request_paths_ignore);
    ReadFilterList(s, w, where, key.find("-ignore") == std::string::npos, out);
  });
}

// `webhook: {name: NAME}` or `{name: [A, B]}`: which generic webhooks
// (POST /api/v1/hooks/generic/NAME) start the pipeline; none listed: any.
void ReadWebhook(LoadState& s, const YamlNode* v, Triggers* t) {
  t->webhook = true;
  if (v->is_null()) return;
  s.reader.ForEach(v, "on.webhook", {"name"},
                   [&](const std::string&, const YamlNode*, const YamlNode* w) {
                     if (!s.reader.StringList(w, &t->webhook_names, true)) return;
                     for (const std::string& n : t->webhook_names)
                       if (n.empty() || n.size() > 100 ||
                           n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                                               "XYZ0123456789._-") != std::string::npos)
                         s.reader.Error(w, "webhook name '" + n + "' may hold only letters, "
                                        "digits, '.', '_' and '-' (at most 100)",
                                        "on: {webhook: {name: deploy-request}}");
                   });
}

// `run: {pipelines: [build], status: [success]}`: runs when a run of one of those
// pipelines (by name) ends in one of those statuses (none listed: any).
void ReadRun(LoadState& s, const YamlNode* k, const YamlNode* v, Triggers* t) {
  if (!v->is_null())
    s.reader.ForEach(v, "on.run", {"pipelines", "status"},
                     [&](const std::string& key, const YamlNode*, const YamlNode* w) {
                       if (key == "pipelines")
                         return (void)s.reader.StringList(w, &t->run_pipelines, true);
                       std::vector<const YamlNode*> items =
                           w->is_sequence() ? w->items : std::vector<const YamlNode*>{w};
                       for (const YamlNode* item : items) {
                         std::string status;
                         if (s.reader.Enum(item, &status, "run status", kEndStatuses))
                           t->run_statuses.push_back(status);
                       }
                     });
  if (t->run_pipelines.empty())
    s.reader.Error(k, "on.run needs the pipelines whose runs start this one",
                   "run: {pipelines: [build], status: [success]}");
}

// `manual:` takes nothing (or an empty map) but its inputs.
void NoSettings(LoadState& s, const YamlNode* v, const std::string& event) {
  if (v->is_null() || (v->is_map() && v->pairs() == 0)) return;
  s.reader.Error(v->is_map() ? v->key(0) : v, "event '" + event + "' takes no settings",
                 "write " + event + ": {}");
}

// `manual: {inputs: {NAME: {type, description, required, default, options}}}`.
void ReadManualInput(LoadState& s, const std::string& name, const YamlNode* key,
                     const YamlNode* v, Triggers* t) {
  ManualInput in;
  in.name = name;
  in.loc = s.reader.Loc(key);
  const YamlNode* default_node = nullptr;
  s.reader.ForEach(v, "on.manual.inputs." + name,
                   {"type", "description", "required", "default", "options"},
                   [&](const std::string& k, const YamlNode*, const YamlNode* w) {
                     if (k == "type")
                       s.reader.Enum(w, &in.type, "input type",
                                     {"string", "boolean", "number", "choice"});
                     if (k == "description") s.reader.String(w, &in.description);
                     if (k == "required") s.reader.Bool(w, &in.required);
                     if (k == "options") s.reader.StringList(w, &in.options);
                     if (k == "default") default_node = w;
                   });
  if (default_node) {
    std::string d;
    if (s.reader.String(default_node, &d)) {
      in.default_value = d;
      if (auto why = CheckInputValue(in, d))
        s.reader.Error(default_node, "default of input '" + name + "': " + *why);
    }
  }
  if (in.type == "choice" && in.options.empty())
    s.reader.Error(key, "input '" + name + "' is a choice without options",
                   "options: [staging, production]");
  t->manual_inputs.push_back(std::move(in));
}

void ReadManual(LoadState& s, const YamlNode* v, Triggers* t) {
  s.reader.ForEach(v, "on.manual", {"inputs"}, [&](const std::string&, const YamlNode*,
                                                   const YamlNode* inputs) {
    s.reader.ForEach(inputs, "on.manual.inputs", {},
                     [&](const std::string& name, const YamlNode* key, const YamlNode* w) {
                       ReadManualInput(s, name, key, w, t);
                     });
  });
}

void ReadOnMap(LoadState& s, const YamlNode* n, Triggers* t) {
  s.reader.ForEach(n, "on", kEvents, [&](const std::string& e, const YamlNode* k,
                                         const YamlNode* v) {
    AddEvent(t, e);
    if (e == "schedule") return ReadSchedule(s, v, t);
    if (e == "webhook") return ReadWebhook(s, v, t);
    if (e == "run") return ReadRun(s, k, v, t);
    if (v->is_null()) return;
    if (e == "push" || e == "pull_request") {
      ReadEventFilters(s, v, e, t);
    } else if (e == "manual") {
      ReadManual(s, v, t);
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
                         if (e == "run") {
                           s.reader.Error(item, "event 'run' needs the pipelines whose runs "
                                          "start this one",
                                          "on: {run: {pipelines: [build]}}");
                           continue;
                         }
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

void GithubIgnored(LoadState& s, const YamlNode* k, const std::string& event, const char* why) {
  s.reader.Warning(k, "'" + k->value + "' of on." + event + " is ignored", why);
}

// `workflow_run: {workflows: [CI], types: [completed]}`: gauntlet's `on.run` with any
// status (a workflow reads the conclusion in `if:`, as on GitHub).
void ReadWorkflowRun(LoadState& s, const YamlNode* k, const YamlNode* v, Triggers* t) {
  if (v && !v->is_null())
    s.reader.ForEach(v, "on.workflow_run", {"workflows", "types", "branches", "branches-ignore"},
                     [&](const std::string& key, const YamlNode* kk, const YamlNode* w) {
                       if (key == "workflows")
                         return (void)s.reader.StringList(w, &t->run_pipelines, true);
                       std::vector<std::string> types;
                       if (key == "types" && s.reader.StringList(w, &types, true) &&
                           types == std::vector<std::string>{"completed"})
                         return;
                       GithubIgnored(s, kk, "workflow_run",
                                     "gauntlet starts the workflow when a named run completes");
                     });
  if (t->run_pipelines.empty()) {
    s.reader.Error(k, "on.workflow_run needs the workflows whose runs start this one",
                   "workflow_run: {workflows: [CI], types: [completed]}");
    return;
  }
  AddEvent(t, "run");
}

}  // namespace

void ReadWorkflowOn(LoadState& s, const YamlNode* n) {
  Triggers& t = s.pipeline.triggers;
  t.loc = s.reader.Loc(n);
  t.github_patterns = true;
  auto event = [&](const std::string& e, const YamlNode* k, const YamlNode* v) {
    if (e == "push" || e == "pull_request") {
      AddEvent(&t, e);
      if (v) ReadEventFilters(s, v, e, &t);
    } else if (e == "schedule") {
      if (!v) {
        s.reader.Error(k, "event 'schedule' needs a cron expression",
                       "on: {schedule: [{cron: \"0 3 * * *\"}]}");
        return;
      }
      AddEvent(&t, e);
      ReadSchedule(s, v, &t);
    } else if (e == "workflow_run") {
      ReadWorkflowRun(s, k, v, &t);
    } else if (e == "workflow_dispatch") {
      AddEvent(&t, "manual");
      if (v && !v->is_null())
        s.reader.ForEach(v, "on.workflow_dispatch", {"inputs"},
                         [&](const std::string&, const YamlNode*, const YamlNode* inputs) {
                           s.reader.ForEach(inputs, "on.workflow_dispatch.inputs", {},
                                            [&](const std::string& name, const YamlNode* key,
                                                const YamlNode* w) {
                                              ReadManualInput(s, name, key, w, &t);
                                            });
                         });
    } else {
      s.reader.Warning(k, "gauntlet does not raise '" + e + "' events",
                       "the workflow still runs on its other events and with gauntlet run");
    }
  };
  if (n->is_map()) {
    s.reader.ForEach(n, "on", {}, [&](const std::string& e, const YamlNode* k, const YamlNode* v) {
      event(e, k, v);
    });
    return;
  }
  std::vector<const YamlNode*> items = n->is_sequence() ? n->items : std::vector{n};
  for (const YamlNode* item : items) {
    std::string e;
    if (s.reader.String(item, &e)) event(e, item, nullptr);
  }
}

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
