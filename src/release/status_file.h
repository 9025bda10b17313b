// The state of one release as scripts and agents read it: the status file (default
// .gauntlet/last-release.json), written after every step by a temp file and a rename,
// so a reader sees the previous whole document or the next, never half of one. The
// fields are documented in docs/release.md ("The status file").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::release {

struct StepState {
  std::string name;    // verify | analyse | quality | version | push | deploy
  std::string result;  // running | ok | failed | skipped | reused | resumed
  std::string detail;  // one line for people
  int64_t started_ms = 0, finished_ms = 0;
};

struct DeploymentState {
  int64_t id = 0;
  std::string environment;
  std::string outcome;  // succeeded | rolled_back | failed | paused
  std::string reason;
};

struct ReleaseState {
  int64_t release_id = 0;  // the store's row; 0 in a dry run
  std::string pipeline, package, branch;
  std::string status = "running";  // see docs/release.md
  std::string reason;
  std::string version, previous_version, tag, bump;
  std::string head;    // the commit released from
  std::string commit;  // the release commit (`chore(release): ...`), tagged
  std::string changelog;               // the section written
  std::vector<std::string> files;      // the files the version step changes
  std::vector<std::string> quality_jobs;
  int64_t quality_run = 0;             // the run whose result was used
  nlohmann::json failed_jobs = nlohmann::json::array();  // diagnostics of a failed quality run
  std::string gate;                    // the verdict, when asked
  std::string remote;
  DeploymentState deployment;
  std::vector<StepState> steps;
  int64_t started_ms = 0, finished_ms = 0;

  StepState* Step(const std::string& name);  // null when not recorded yet
};

nlohmann::json ToJson(const ReleaseState& s);

// `unix_ms` formatted in UTC with strftime's `format`; "" for 0 (not yet).
std::string FormatUtc(int64_t unix_ms, const char* format);

// Writes `doc` to `path` (its directory created) through `path`.tmp and rename(2).
Status WriteStatusFile(const std::string& path, const nlohmann::json& doc);

}  // namespace gauntlet::release
