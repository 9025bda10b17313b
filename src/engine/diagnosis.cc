#include "engine/diagnosis.h"

#include <fmt/core.h>

#include <filesystem>

#include "engine/views_gate.h"
#include "engine/views_run.h"

namespace gauntlet::engine {

bool SelectsJob(const std::string& job, const std::string& name) {
  return job.empty() || name == job || name.starts_with(job + " (");
}

Result<RunDiagnosis> DiagnoseRun(store::Store& s, const store::RunRecord& run,
                                 const std::vector<store::JobRecord>& jobs,
                                 const std::string& job, const std::string& logs_dir,
                                 int lines) {
  std::vector<store::JobRecord> failed;
  bool any = false;
  for (const store::JobRecord& j : jobs) {
    if (!SelectsJob(job, j.name)) continue;
    any = true;
    if (j.status == store::JobStatus::kFailed) failed.push_back(j);
  }
  if (!any && !job.empty()) {
    std::string known;
    for (const store::JobRecord& j : jobs) known += (known.empty() ? "" : ", ") + j.name;
    return Error::NotFound(fmt::format("run {} has no job '{}' (jobs: {})", run.id, job,
                                       known.empty() ? "none" : known));
  }
  RunDiagnosis out;
  if (failed.empty()) return out;
  // The run stores its results, not its configuration: the jobs' `diagnostics:` and
  // `language:` come from the pipeline file as it is now.
  const LoadedPipeline loaded =
      LoadPipeline(run.file, std::filesystem::path(run.file).parent_path().string());
  if (!loaded.ok()) {
    const std::string why = loaded.problems.all().empty() ? std::string("invalid")
                                                          : loaded.problems.all().front().message;
    out.warnings.push_back(fmt::format(
        "cannot read the pipeline file {} ({}): logs are not parsed, only test reports are shown",
        run.file, why));
  }
  auto d = gate::DiagnoseRunJobs(
      s, run, failed, gate::ContextForFile(run.file, loaded.ok() ? &loaded.plan : nullptr, logs_dir),
      lines);
  if (!d.ok()) return d.error();
  out.jobs = std::move(*d);
  return out;
}

nlohmann::json RunDiagnosisJson(const store::RunRecord& run, const RunDiagnosis& d) {
  return DiagnosisJson(run, ShownStatus(run), d.jobs, d.warnings);
}

Result<std::vector<gate::DiagnosedJob>> DiagnoseVerdict(store::Store& s,
                                                        const gate::Assessment& a,
                                                        const LoadedPipeline& pipeline,
                                                        const std::string& logs_dir) {
  return gate::DiagnoseRejection(s, a, gate::ContextForFile(pipeline.file, &pipeline.plan, logs_dir),
                                 kGateLogLines);
}

}  // namespace gauntlet::engine
