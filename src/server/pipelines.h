// Which pipeline files of a watched repository a queued trigger runs. A commit may hold
// several: the configured pipeline file (gauntlet.yml) and GitHub workflows
// (.github/workflows/*.yml); each decides by its own `on:` at that commit
// (docs/server.md, "Several pipelines in one repository").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/server_db.h"
#include "spec/model.h"

namespace gauntlet::server {

// The pipeline files of the working copy `workdir`, relative to it: `main_file` when it is
// there, then .github/workflows/*.yml and *.yaml, sorted.
std::vector<std::string> PipelineFiles(const std::string& workdir, const std::string& main_file);

// Why a pipeline whose `on:` is `on` does not run for `item`, whose commit is checked out
// in `workdir`; "" when it runs. Push, pull_request, schedule, webhook and run events are
// matched against their filters; manual and release items always run (the caller chose
// the pipeline).
std::string SkipReason(const spec::Triggers& on, const QueueItem& item, const std::string& workdir);

// A run that ended, as `on.run` (GitHub's workflow_run) sees it.
struct EndedRun {
  int64_t id = 0;
  std::string pipeline;  // its name (`name:`, else the file's stem)
  std::string file;      // its pipeline file, relative to the repository
  std::string status;    // success, failed, cancelled, skipped
};

// How many `on.run` links led to `item` (0 for any other event). A run at depth
// kMaxChainDepth starts no further run, so a loop of pipelines ends (GitHub's limit).
constexpr int kMaxChainDepth = 3;
int ChainDepth(const QueueItem& item);

// Whether `on.run` of a pipeline takes the ended run: one of `pipelines` names it and
// `status` (empty: any) has its status.
bool ChainTakes(const spec::Triggers& on, const EndedRun& run);

// The item that runs `file` because `run` (started by `after`) ended: event `run`, at the
// same ref and commit, its payload `{"run": {...}, "depth": N}` plus GitHub's
// `workflow_run` shape for workflows.
QueueItem ChainedItem(const QueueItem& after, const EndedRun& run, const std::string& file);

}  // namespace gauntlet::server
