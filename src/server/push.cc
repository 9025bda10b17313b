#include "server/push.h"

#include <algorithm>

#include "core/glob.h"
#include "spec/event_filter.h"

namespace gauntlet::server {
namespace {

Status Field(const nlohmann::json& body, const char* name, std::string* out) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string())
    return Error::Invalid(std::string("push payload: '") + name + "' must be a string");
  *out = it->get<std::string>();
  return Ok();
}

}  // namespace

bool AnyGlobMatches(const std::vector<std::string>& patterns, const std::string& value) {
  for (const std::string& p : patterns) {
    auto glob = Glob::Compile(p);
    if (glob.ok() && glob->Matches(value)) return true;
  }
  return false;
}

bool IsCommitId(const std::string& s) {
  return s.size() == 40 &&
         std::all_of(s.begin(), s.end(), [](char c) { return isxdigit(static_cast<unsigned char>(c)); });
}

std::string PushEvent::branch() const {
  const std::string prefix = "refs/heads/";
  return ref.rfind(prefix, 0) == 0 ? ref.substr(prefix.size()) : "";
}

std::string PushEvent::tag() const {
  const std::string prefix = "refs/tags/";
  return ref.rfind(prefix, 0) == 0 ? ref.substr(prefix.size()) : "";
}

Result<PushEvent> ParseGithubPush(const nlohmann::json& body) {
  if (!body.is_object()) return Error::Invalid("push payload: not a JSON object");
  PushEvent p;
  for (auto [name, out] : {std::pair{"ref", &p.ref}, {"before", &p.before}, {"after", &p.after}})
    if (Status s = Field(body, name, out); !s.ok()) return s.error();
  if (!IsCommitId(p.after) || !IsCommitId(p.before))
    return Error::Invalid("push payload: 'before' and 'after' must be 40-digit commit ids");
  if (p.branch().empty() && p.tag().empty())
    return Error::Invalid("push payload: 'ref' must start with refs/heads/ or refs/tags/");
  auto repo = body.find("repository");
  if (repo == body.end() || !repo->is_object() || !repo->contains("name") ||
      !(*repo)["name"].is_string())
    return Error::Invalid("push payload: 'repository.name' must be a string");
  p.repository = (*repo)["name"].get<std::string>();
  if (auto pusher = body.find("pusher"); pusher != body.end() && pusher->is_object())
    p.pusher = pusher->value("name", "");
  if (auto deleted = body.find("deleted"); deleted != body.end() && deleted->is_boolean())
    p.deleted = deleted->get<bool>();
  return p;
}

bool RefFilterRuns(const spec::Triggers& on, const std::vector<std::string>& only,
                   const std::vector<std::string>& ignore, const std::string& name,
                   const std::string& what, std::string* why) {
  const auto syntax = on.github_patterns ? spec::PatternSyntax::kGithub : spec::PatternSyntax::kGlob;
  if (!only.empty() && !spec::FilterMatches(only, syntax, name)) {
    *why = what + " " + name + " matches none of on." + (what == "tag" ? "push.tags" : "push.branches");
    return false;
  }
  if (!ignore.empty() && spec::FilterMatches(ignore, syntax, name)) {
    *why = what + " " + name + " matches on.push." + (what == "tag" ? "tags" : "branches") +
           "-ignore";
    return false;
  }
  return true;
}

bool PushRuns(const spec::Triggers& on, const PushEvent& push,
              const std::vector<std::string>& changed, bool changed_known, std::string* why) {
  if (push.deleted) {
    *why = push.ref + " was deleted";
    return false;
  }
  if (std::find(on.events.begin(), on.events.end(), "push") == on.events.end()) {
    *why = "the pipeline's on: does not list push";
    return false;
  }
  // GitHub: filters of one kind of ref only keep the other kind out; none: both run.
  const bool branch_filters = !on.branches.empty() || !on.branches_ignore.empty();
  const bool tag_filters = !on.tags.empty() || !on.tags_ignore.empty();
  if (!push.tag().empty()) {
    if (branch_filters && !tag_filters) {
      *why = "a tag push, and on.push filters only branches";
      return false;
    }
    // Path filters are not evaluated for tags.
    return RefFilterRuns(on, on.tags, on.tags_ignore, push.tag(), "tag", why);
  }
  if (tag_filters && !branch_filters) {
    *why = "a branch push, and on.push filters only tags";
    return false;
  }
  if (!RefFilterRuns(on, on.branches, on.branches_ignore, push.branch(), "branch", why))
    return false;
  if (!changed_known) return true;
  *why = PathsReason(on, on.paths, on.paths_ignore, changed, "push");
  return why->empty();
}

std::string PathsReason(const spec::Triggers& on, const std::vector<std::string>& paths,
                        const std::vector<std::string>& ignore,
                        const std::vector<std::string>& changed, const std::string& event) {
  const auto syntax = on.github_patterns ? spec::PatternSyntax::kGithub : spec::PatternSyntax::kGlob;
  auto matching = [&](const std::vector<std::string>& patterns) -> size_t {
    auto list = spec::FilterList::Compile(patterns, syntax);
    if (!list.ok()) return 0;
    return static_cast<size_t>(std::count_if(changed.begin(), changed.end(),
                                             [&](const std::string& f) { return list->Matches(f); }));
  };
  if (!paths.empty() && matching(paths) == 0) return "no changed file matches on." + event + ".paths";
  if (!ignore.empty() && matching(ignore) == changed.size())
    return "every changed file matches on." + event + ".paths-ignore";
  return "";
}

}  // namespace gauntlet::server
