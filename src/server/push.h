// Push events: what GitHub's `push` webhook carries (docs.github.com, "Webhook events and
// payloads": ref, before, after, repository.name, pusher.name, commits[], deleted), and
// whether a pipeline's `on:` asks to run for one. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "spec/model.h"

namespace gauntlet::server {

struct PushEvent {
  std::string repository;  // repository.name
  std::string ref;         // refs/heads/main or refs/tags/v1
  std::string before;      // 40 zeros for a new branch
  std::string after;       // the commit to run
  std::string pusher;
  bool deleted = false;  // the ref was deleted: nothing to run
  std::string branch() const;  // "main" for refs/heads/main, else ""
  std::string tag() const;     // "v1" for refs/tags/v1, else ""
};

// Whether one of the globs (as in `changes:`: `*` does not cross `/`) matches `value`.
bool AnyGlobMatches(const std::vector<std::string>& patterns, const std::string& value);

// A full commit id as webhooks carry it: 40 hex digits.
bool IsCommitId(const std::string& s);

// kInvalid naming the missing or mistyped field.
Result<PushEvent> ParseGithubPush(const nlohmann::json& body);

// Whether `on:` runs the pipeline for this push; `why` says why not. GitHub's rules
// (docs/server.md): `push` must be among the events. A branch push must match `branches`
// and none of `branches-ignore`, a tag push `tags` / `tags-ignore`; filters of only one
// kind of ref keep the other kind out, none at all let both in (spec/event_filter.h has
// the pattern syntax). `changed` is the files the branch push changed: `paths` needs one
// that matches, `paths-ignore` one that it does not take; `changed_known` false (a new
// branch) runs. Paths are not looked at for a tag.
bool PushRuns(const spec::Triggers& on, const PushEvent& push,
              const std::vector<std::string>& changed, bool changed_known, std::string* why);

// Why `paths` / `paths-ignore` of on.EVENT turn the changed files away; "" when they take
// them.
std::string PathsReason(const spec::Triggers& on, const std::vector<std::string>& paths,
                        const std::vector<std::string>& ignore,
                        const std::vector<std::string>& changed, const std::string& event);

}  // namespace gauntlet::server
