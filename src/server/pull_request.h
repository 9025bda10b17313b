// Pull request events: what GitHub's `pull_request` webhook carries (docs.github.com,
// "Webhook events and payloads": action, number, pull_request.{head,base,title,user},
// repository.name), and whether a pipeline's `on:` asks to run for one. Pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "spec/model.h"

namespace gauntlet::server {

struct PullRequestEvent {
  std::string repository;  // repository.name
  std::string action;      // opened, synchronize, reopened, closed, edited, ...
  int64_t number = 0;
  std::string head_sha;    // the commit to run: the pull request's head
  std::string head_ref;    // its branch
  std::string base_ref;    // the branch it asks to merge into
  std::string title, author;
};

// kInvalid naming the missing or mistyped field.
Result<PullRequestEvent> ParseGithubPullRequest(const nlohmann::json& body);

// Whether the action is one a pull request runs for: opened, synchronize (new commits),
// reopened — GitHub's default activity types of `on: pull_request`.
bool RunsForAction(const std::string& action);

// Whether `on:` runs the pipeline for this pull request; `why` says why not. Rules
// (docs/server.md): `pull_request` must be among the events, and `on.pull_request.branches`
// (globs, empty: every branch) must match the *base* branch, as GitHub's do.
bool PullRequestRuns(const spec::Triggers& on, const PullRequestEvent& pr, std::string* why);

}  // namespace gauntlet::server
