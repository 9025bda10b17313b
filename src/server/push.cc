#include "server/push.h"

#include <algorithm>

#include "core/glob.h"

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
  if (!push.tag().empty() && !on.branches.empty()) {
    *why = "a tag push, and on.push lists branches";
    return false;
  }
  if (!push.branch().empty() && !on.branches.empty() &&
      !AnyGlobMatches(on.branches, push.branch())) {
    *why = "branch " + push.branch() + " matches none of on.push.branches";
    return false;
  }
  if (!on.paths.empty() && changed_known &&
      std::none_of(changed.begin(), changed.end(),
                   [&](const std::string& f) { return AnyGlobMatches(on.paths, f); })) {
    *why = "no changed file matches on.push.paths";
    return false;
  }
  return true;
}

}  // namespace gauntlet::server
