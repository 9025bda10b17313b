// `notify:` at the top of a pipeline file: where to POST a JSON event when a run or a
// deployment ends (docs/pipeline.md, "Notifications"). The URL and header values may read
// `${{ secrets.X }}` (checked here like any template; rendered when the event is sent).
#include <algorithm>

#include "core/strings.h"
#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

const std::vector<std::string> kNotifyKeys = {"url",     "on",      "headers",
                                              "attempts", "backoff", "timeout"};

bool HeaderNameOk(const std::string& name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
  });
}

void ReadNotifyEntry(LoadState& s, const YamlNode* n) {
  Notify& entry = s.pipeline.notify.emplace_back();
  entry.loc = s.reader.Loc(n);
  if (n->is_scalar()) {  // the short form: a URL, every event
    if (s.reader.String(n, &entry.url)) s.exprs.CheckTemplate(n, -1);
  } else if (!n->is_map()) {
    s.reader.TypeError(n, "a URL or a map", "notify: [{url: https://..., on: [failure]}]");
    return;
  } else {
    s.reader.ForEach(
                 n, "a notify entry", kNotifyKeys,
                 [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                   if (key == "url" && s.reader.String(v, &entry.url)) {
                     entry.loc = s.reader.Loc(v);
                     s.exprs.CheckTemplate(v, -1);
                   }
                   if (key == "on") {
                     std::vector<Located> events;
                     if (!s.reader.LocatedList(v, &events, true)) return;
                     for (const Located& e : events) {
                       const auto& known = NotifyEvents();
                       if (std::find(known.begin(), known.end(), e.value) == known.end()) {
                         s.reader.problems()->Error(e.loc,
                                                    "unknown notify event '" + e.value + "'",
                                                    "events: " + JoinComma(known));
                       } else if (std::find(entry.on.begin(), entry.on.end(), e.value) ==
                                  entry.on.end()) {
                         entry.on.push_back(e.value);
                       }
                     }
                     if (events.empty())
                       s.reader.Error(v, "notify on: is empty",
                                      "leave it out for every event, or name some: " +
                                          JoinComma(NotifyEvents()));
                   }
                   if (key == "headers") {
                     std::vector<Location> locs;
                     if (!s.reader.KeyValueMap(v, "headers", &entry.headers, &locs)) return;
                     for (size_t i = 0; i < v->pairs() && i < entry.headers.size(); ++i) {
                       if (!HeaderNameOk(entry.headers[i].first))
                         s.reader.Error(v->key(i),
                                        "'" + entry.headers[i].first + "' is not a header name",
                                        "letters, digits, '-' and '_'");
                       s.exprs.CheckTemplate(v->val(i), -1);
                     }
                   }
                   if (key == "attempts") s.reader.Int(v, &entry.attempts, 1, 10);
                   if (key == "backoff") s.reader.DurationValue(v, &entry.backoff);
                   if (key == "timeout" && s.reader.DurationValue(v, &entry.timeout) &&
                       entry.timeout.count() <= 0)
                     s.reader.Error(v, "a notify timeout must be above zero", "timeout: 10s");
                 });
  }
  if (entry.url.empty()) {
    s.reader.Error(n, "a notify entry has no url",
                   "url: ${{ secrets.SLACK_WEBHOOK }} (or https://...)");
    return;
  }
  // A URL written out must be HTTP(S); one read from a secret is checked when sent.
  if (entry.url.rfind("${{", 0) != 0 && entry.url.rfind("http://", 0) != 0 &&
      entry.url.rfind("https://", 0) != 0) {
    s.reader.problems()->Error(entry.loc, "a notify url must start with http:// or https://",
                               "url: https://hooks.slack.com/services/..., or a secret: "
                               "url: ${{ secrets.SLACK_WEBHOOK }}");
  }
}

}  // namespace

const std::vector<std::string>& NotifyEvents() {
  static const std::vector<std::string> kEvents = {
      "success", "failure", "cancelled", "deployed", "rolled_back", "deploy_failed"};
  return kEvents;
}

void ReadNotify(LoadState& s, const YamlNode* n) {
  if (n->is_null()) return;
  if (!n->is_sequence()) {
    return s.reader.TypeError(n, "a list of notify entries",
                              "notify: [{url: ${{ secrets.SLACK_WEBHOOK }}, on: [failure]}]");
  }
  for (const YamlNode* item : n->items) ReadNotifyEntry(s, item);
}

}  // namespace gauntlet::spec
