#include "engine/run_detail.h"

#include "gate/report_recorder.h"

namespace gauntlet::engine {

Result<RunDetail> ReadRunDetail(store::Store& s, const store::RunRecord& run) {
  RunDetail d;
  d.run = run;
  auto jobs = s.GetJobs(run.id);
  if (!jobs.ok()) return jobs.error();
  auto attempts = s.GetAttempts(run.id, std::nullopt);
  if (!attempts.ok()) return attempts.error();
  auto metrics = s.GetMetrics(run.id);
  if (!metrics.ok()) return metrics.error();
  d.jobs = std::move(*jobs);
  d.attempts = std::move(*attempts);
  d.metrics = std::move(*metrics);
  if (auto reports = s.GetReports(run.id); reports.ok()) {
    for (const auto& r : *reports) {
      if (r.kind != gate::kWarningsReportKind) continue;
      auto j = nlohmann::json::parse(r.json, nullptr, false);
      if (!j.is_object() || !j["warnings"].is_array()) continue;
      for (const auto& w : j["warnings"])
        if (w.is_string()) d.report_warnings[r.job_index].push_back(w.get<std::string>());
    }
  }
  return d;
}

}  // namespace gauntlet::engine
