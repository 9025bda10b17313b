// DORA's four keys per environment, from gauntlet's own deployments and incidents:
// deployment frequency, lead time for changes, change failure rate and time to restore,
// each with its band. What counts as what is in docs/insight.md ("DORA"); the bands are
// the 2023 Accelerate State of DevOps report's, made contiguous. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "insight/report.h"
#include "store/insight_records.h"

namespace gauntlet::insight {

// `deployments`: those finished at or after window.since (store::ListDeploymentHistory);
// `incidents`: those at or after it. One entry per environment, by name.
std::vector<DoraEnvironment> ComputeDora(const std::vector<store::DeploymentHistory>& deployments,
                                         const std::vector<store::IncidentRecord>& incidents,
                                         const Window& window);

// The bands: "elite", "high", "medium" or "low".
std::string FrequencyBand(double per_day);
std::string LeadTimeBand(int64_t ms);
std::string ChangeFailureBand(double rate);
std::string RestoreBand(int64_t ms);

}  // namespace gauntlet::insight
