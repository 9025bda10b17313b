// spec::Pipeline -> Plan: a DAG of concrete jobs (matrix expanded, stage edges made
// explicit), in a valid execution order. Pure: no OS access.
#pragma once

#include <string>
#include <vector>

#include "core/duration.h"
#include "spec/model.h"
#include "spec/problems.h"

namespace gauntlet::plan {

using JobId = int;  // index into Plan::jobs

struct PlannedJob {
  enum class Kind { kJob, kDeploy };
  Kind kind = Kind::kJob;
  JobId id = 0;
  std::string name;            // "unit (python=3.12)"; a deploy step: "deploy: staging"
  std::string base_name;       // the spec job's name ("unit"), or the stage's for deploys
  const spec::Job* spec = nullptr;      // kJob: points into the Pipeline (which must outlive the Plan)
  const spec::Stage* stage = nullptr;   // the stage it belongs to, if any
  spec::MatrixCombo matrix;             // empty for non-matrix jobs
  std::vector<JobId> needs;             // direct dependencies (job needs + stage edges)
  std::vector<JobId> dependents;        // reverse edges
  Duration timeout{0};                  // resolved (job, else defaults)
  std::string shell;                    // resolved (job, else defaults)
  std::string working_directory;        // resolved
  int group = -1;                       // index into Plan::groups; -1: none
  bool continue_on_error = false;       // resolved (the spec job's, or its matrix's)
};

// Jobs the scheduler treats together (a matrix's combinations): at most max_parallel of
// them run at once (0: no limit but -j), and with fail_fast the first of them that fails
// cancels the others (running or not started yet), not other jobs.
struct JobGroup {
  std::string name;  // the spec job's name
  std::vector<JobId> jobs;
  int max_parallel = 0;
  bool fail_fast = false;
};

struct Plan {
  const spec::Pipeline* pipeline = nullptr;
  std::vector<PlannedJob> jobs;  // topologically sorted: needs come before dependents
  std::vector<JobId> critical_path;  // longest chain by job count, first to last
  std::vector<JobGroup> groups;      // only those with a limit or fail_fast

  // All concrete jobs expanded from a spec job name (or a concrete name).
  std::vector<JobId> Find(const std::string& name) const;
};

// Builds the plan. Cycles ("a -> b -> c -> a"), unknown needs and matrices that
// expand to nothing are reported as problems located in the file; on any error the
// returned plan is incomplete and must not be run.
Plan Build(const spec::Pipeline& pipeline, spec::Problems* problems);

}  // namespace gauntlet::plan
