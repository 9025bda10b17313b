// `gauntlet insight` as a library call: reads the history of a time window from the store
// (one streaming pass over its runs and jobs, then the median runs and the deployments)
// and computes the report. The store is only read.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "insight/report.h"
#include "store/store.h"

namespace gauntlet::insight {

struct Options {
  std::string since = "30d";  // the window's length: "30d", "12h", "90m", ...
  std::optional<std::string> pipeline, branch;
  store::UnixMs now = 0;  // the window ends here
  // When a deployment's commit has no recorded time (no run of it), asked for it;
  // nullopt: unknown. Unset: such deployments have no lead time.
  std::function<std::optional<store::UnixMs>(const std::string& commit)> commit_time;
};

// "30d" (days) or any duration a pipeline file takes ("12h", "90m"); more than zero.
Result<int64_t> ParseSince(std::string_view text);

Result<Report> BuildReport(store::Store& store, const Options& options);

}  // namespace gauntlet::insight
