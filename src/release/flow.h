// Internal to release/: the state one release carries through its steps, and the steps
// (step_*.cc). Each step returns a Status; an error ends the release as "failed" with its
// message, unless the step already set a final status (nothing_to_release, rejected...).
#pragma once

#include <string>
#include <vector>

#include "release/analyse.h"
#include "release/next_version.h"
#include "release/release.h"
#include "store/store.h"

namespace gauntlet::release {

// The pipeline or one package of it.
struct Target {
  std::string package;  // "" the whole repository
  std::string tag_format;
  std::string path;                 // repository-relative ("" everything)
  std::vector<spec::ReleaseFile> bump;
  std::string bump_dir;             // absolute: bump paths are relative to it
  std::string changelog;            // absolute path, "" none
};

struct Flow {
  Flow(const ReleaseRequest& r, const spec::Release& c, Target t, std::string root)
      : req(r), config(c), target(std::move(t)), repo_root(std::move(root)) {}

  const ReleaseRequest& req;
  const spec::Release& config;
  Target target;
  std::string repo_root;  // the work tree, without a trailing '/'
  Clock* clock = nullptr;
  store::Store* store = nullptr;  // null in a dry run
  ReleaseState state;
  std::string status_path;
  BranchRule rule;
  Analysis analysis;
  NextVersion next;
  bool resumed = false;
  std::string identity;         // who asks for approvals: the request's, else HEAD's author
  std::string approval_needed;  // the gate's reasons when a person must approve (wait)
  nlohmann::json plan = nlohmann::json::object();  // dry run

  void Print(const std::string& line) const {
    if (req.print) req.print(line);
  }
  // Records a step's start / end (store row and status file; nothing in a dry run).
  void Begin(const std::string& step);
  Status End(const std::string& step, const std::string& result, const std::string& detail);
  // Records a step still running with what it is doing now (a wait), so the store and
  // the status file show it.
  Status Note(const std::string& step, const std::string& detail);
  // Writes the release row and the status file as they are now.
  Status Save();
  // Whether `step` already ended ok in the release being resumed.
  bool Done(const std::string& step) const;
};

Status Verify(Flow& f);
Status AnalyseStep(Flow& f);
Status Quality(Flow& f);
Status Approval(Flow& f);
Status VersionStep(Flow& f);
Status Push(Flow& f);
Status Deploy(Flow& f);

// The repository-relative path of an absolute path under the work tree.
std::string RepoRelative(const Flow& f, const std::string& absolute);

}  // namespace gauntlet::release
