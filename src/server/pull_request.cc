#include "server/pull_request.h"

#include <algorithm>

#include "core/glob.h"
#include "server/push.h"
#include "spec/event_filter.h"

namespace gauntlet::server {
namespace {

using nlohmann::json;

// The string at `a`.`b` of `j`, or "" (and `*ok` false when `ok` is given).
std::string StringAt(const json& j, const char* a, const char* b, bool* ok = nullptr) {
  if (j.is_object() && j.contains(a) && j[a].is_object() && j[a].contains(b) &&
      j[a][b].is_string())
    return j[a][b].get<std::string>();
  if (ok) *ok = false;
  return "";
}

}  // namespace

Result<PullRequestEvent> ParseGithubPullRequest(const json& body) {
  if (!body.is_object()) return Error::Invalid("pull_request payload: not a JSON object");
  PullRequestEvent e;
  if (!body.contains("action") || !body["action"].is_string())
    return Error::Invalid("pull_request payload: 'action' must be a string");
  e.action = body["action"].get<std::string>();
  const json* pr = body.contains("pull_request") ? &body["pull_request"] : nullptr;
  if (!pr || !pr->is_object())
    return Error::Invalid("pull_request payload: 'pull_request' must be an object");
  if (body.contains("number") && body["number"].is_number_integer())
    e.number = body["number"].get<int64_t>();
  else if (pr->contains("number") && (*pr)["number"].is_number_integer())
    e.number = (*pr)["number"].get<int64_t>();
  if (e.number <= 0) return Error::Invalid("pull_request payload: 'number' must be a positive integer");
  bool ok = true;
  e.head_sha = StringAt(*pr, "head", "sha", &ok);
  e.head_ref = StringAt(*pr, "head", "ref", &ok);
  e.base_ref = StringAt(*pr, "base", "ref", &ok);
  if (!ok)
    return Error::Invalid(
        "pull_request payload: 'pull_request.head.sha', 'head.ref' and 'base.ref' must be "
        "strings");
  if (!IsCommitId(e.head_sha))
    return Error::Invalid("pull_request payload: 'pull_request.head.sha' must be a 40-digit id");
  e.title = pr->contains("title") && (*pr)["title"].is_string() ? (*pr)["title"].get<std::string>()
                                                                 : "";
  e.author = StringAt(*pr, "user", "login");
  e.repository = StringAt(body, "repository", "name", &ok);
  if (!ok) return Error::Invalid("pull_request payload: 'repository.name' must be a string");
  return e;
}

bool RunsForAction(const std::string& action) {
  return action == "opened" || action == "synchronize" || action == "reopened";
}

bool PullRequestRuns(const spec::Triggers& on, const PullRequestEvent& pr, std::string* why) {
  if (std::find(on.events.begin(), on.events.end(), "pull_request") == on.events.end()) {
    *why = "the pipeline's on: has no pull_request";
    return false;
  }
  const auto& types = on.pull_request_types;
  if (types.empty() ? !RunsForAction(pr.action)
                    : std::find(types.begin(), types.end(), pr.action) == types.end()) {
    *why = "action '" + pr.action + "' is not in on.pull_request.types" +
           (types.empty() ? " (by default opened, synchronize, reopened)" : "");
    return false;
  }
  const auto syntax = on.github_patterns ? spec::PatternSyntax::kGithub : spec::PatternSyntax::kGlob;
  if (!on.pull_request_branches.empty() &&
      !spec::FilterMatches(on.pull_request_branches, syntax, pr.base_ref)) {
    *why = "base branch '" + pr.base_ref + "' is not in on.pull_request.branches";
    return false;
  }
  if (!on.pull_request_branches_ignore.empty() &&
      spec::FilterMatches(on.pull_request_branches_ignore, syntax, pr.base_ref)) {
    *why = "base branch '" + pr.base_ref + "' is in on.pull_request.branches-ignore";
    return false;
  }
  return true;
}

}  // namespace gauntlet::server
