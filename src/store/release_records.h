// The rows of releases (`gauntlet release`, docs/release.md): one row per release
// attempt of a pipeline or package, and one row per step it went through. Plain data,
// shared by every Store.
#pragma once

#include <cstdint>
#include <string>

namespace gauntlet::store {

struct ReleaseRecord {
  int64_t id = 0;  // assigned by CreateRelease
  std::string pipeline;
  std::string package;  // "" for the whole repository
  std::string version, previous_version, tag, git_commit, branch;
  // running | released | deployed | released_not_deployed | failed | nothing_to_release
  std::string status = "running";
  std::string reason;
  int64_t deployment_id = 0;
  std::string notes;  // the changelog section
  int64_t started_ms = 0, finished_ms = 0;
};

struct ReleaseStepRecord {
  int64_t release_id = 0;
  std::string step;    // verify | analyse | quality | version | push | deploy
  std::string result;  // ok | failed | skipped | reused | running
  std::string detail;
  int64_t started_ms = 0, finished_ms = 0;
};

}  // namespace gauntlet::store
