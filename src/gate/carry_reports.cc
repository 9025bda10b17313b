#include "gate/carry_reports.h"

#include "gate/report_metrics.h"

namespace gauntlet::gate {

Result<int> CarryReports(store::Store& store, store::RunId from, store::RunId to,
                         const std::map<std::string, int>& jobs) {
  if (jobs.empty() || from == to) return 0;
  auto earlier = store.GetReports(from);
  if (!earlier.ok()) return earlier.error();
  std::vector<store::ReportRecord> carried;
  for (const store::ReportRecord& r : *earlier) {
    // Matched by name: the job's index may differ when the pipeline changed since.
    auto it = jobs.find(r.job_name);
    if (it == jobs.end()) continue;
    store::ReportRecord copy = r;
    copy.run_id = to;
    copy.job_index = it->second;
    carried.push_back(std::move(copy));
  }
  if (carried.empty()) return 0;
  // The metrics count what the new run holds already as well as what it gets.
  auto held = store.GetReports(to);
  if (!held.ok()) return held.error();
  std::map<int, ReportTotals> per_job;
  for (const store::ReportRecord& r : *held) per_job[r.job_index].SetStored(r);
  for (const store::ReportRecord& r : carried) per_job[r.job_index].SetStored(r);

  store::Batch batch(store);
  if (!batch.status().ok()) return batch.status().error();
  for (const store::ReportRecord& r : carried) {
    if (Status s = store.PutReport(r); !s.ok()) return s.error();
  }
  if (Status s = WriteRunMetrics(store, to, per_job); !s.ok()) return s.error();
  if (Status s = batch.Commit(); !s.ok()) return s.error();
  return static_cast<int>(carried.size());
}

}  // namespace gauntlet::gate
