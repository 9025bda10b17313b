// `concurrency:` of a pipeline file or a GitHub workflow, or of one of their jobs, in
// GitHub's two spellings: a group name, or {group, cancel-in-progress}. The group may
// hold `${{ }}` (checked here; a run's group is rendered by the server with the event,
// server/concurrency.h, a job's by the scheduler when the job is about to start,
// exec/job_concurrency.h).
#include "spec/load_internal.h"

namespace gauntlet::spec {

void ReadConcurrency(LoadState& s, const YamlNode* n, Concurrency* target, int job) {
  Concurrency& c = *target;
  c.loc = s.reader.Loc(n);
  const YamlNode* group = nullptr;
  if (n->is_scalar()) {
    group = n;
  } else if (n->is_map()) {
    s.reader.ForEach(n, "concurrency", {"group", "cancel-in-progress", "cancel_in_progress"},
                     [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                       if (key == "group")
                         group = v;
                       else
                         s.reader.Bool(v, &c.cancel_in_progress);
                     });
    if (!group)
      s.reader.Error(n, "concurrency has no group",
                     "concurrency: {group: deploy-${{ branch }}, cancel-in-progress: true}");
  } else {
    return s.reader.TypeError(n, "a group name or a map",
                              "concurrency: {group: NAME, cancel-in-progress: true}");
  }
  if (!group || !s.reader.String(group, &c.group)) return;
  if (c.group.empty())
    return s.reader.Error(group, "the concurrency group is empty", "name a group: group: deploy");
  s.exprs.CheckTemplate(group, job);
}

}  // namespace gauntlet::spec
