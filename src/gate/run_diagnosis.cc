#include "gate/run_diagnosis.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cache/confined.h"
#include "gate/parsers.h"
#include "gate/report_json.h"
#include "gate/report_recorder.h"
#include "spec/job_diagnostics.h"
#include "store/log_store.h"
#include "vcs/repo.h"

namespace gauntlet::gate {
namespace {

namespace fs = std::filesystem;

// A problem-matcher file named by the job, beneath the pipeline file's directory.
Result<std::vector<ProblemMatcher>> ReadMatchers(const std::string& dir, const std::string& name) {
  auto root = cache::OpenRoot(dir);
  if (!root.ok()) return root.error();
  auto fd = cache::OpenFileBeneath(root->get(), name, O_RDONLY, false);
  if (!fd.ok()) return fd.error();
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd->get(), buf, sizeof buf)) > 0;) text.append(buf, n);
  return LoadProblemMatchers(text, name);
}

const plan::PlannedJob* FindPlanned(const RunContext& c, const std::string& name) {
  if (c.plan == nullptr) return nullptr;
  for (const plan::PlannedJob& j : c.plan->jobs) {
    if (j.name == name) return &j;
  }
  return nullptr;
}

DiagnosedJob DiagnoseOne(const store::JobRecord& job, const store::RunRecord& run,
                         const std::vector<store::AttemptRecord>& attempts,
                         const std::vector<store::ReportRecord>& reports, const RunContext& c,
                         const store::LogReader& logs, const RepoFiles& files, int tail_lines) {
  DiagnosedJob out;
  out.job = job;
  for (const store::AttemptRecord& a : attempts) {
    if (a.job_index == job.index && (!out.last_attempt || a.number > out.last_attempt->number))
      out.last_attempt = a;
  }
  for (const store::ReportRecord& r : reports) {
    if (r.job_index != job.index) continue;
    if (r.kind == "junit") {
      auto t = TestReportFromJson(r.json);
      if (t.ok()) out.tests = std::move(*t);
    } else if (r.kind == kWarningsReportKind) {
      auto j = nlohmann::json::parse(r.json, nullptr, false);
      if (j.is_object() && j["warnings"].is_array()) {
        for (const auto& w : j["warnings"])
          if (w.is_string()) out.report_warnings.push_back(w.get<std::string>());
      }
    }
  }

  std::vector<std::string> warnings;
  JobDiagnosisInput in;
  std::string job_dir = c.dir;
  if (const plan::PlannedJob* planned = FindPlanned(c, job.name)) {
    for (const std::string& name : spec::DiagnosticsFor(*planned->spec)) {
      out.parsers.push_back(name);
      if (!IsProblemMatcherPath(name)) {
        in.parsers.push_back(name);
        continue;
      }
      auto m = ReadMatchers(c.dir, name);
      if (!m.ok()) {
        warnings.push_back("problem matcher " + name + ": " + m.error().message);
        continue;
      }
      in.matchers.insert(in.matchers.end(), m->begin(), m->end());
    }
    fs::path wd(planned->working_directory);
    job_dir = (wd.is_absolute() ? wd : fs::path(c.dir) / wd).lexically_normal().string();
  } else if (c.plan != nullptr) {
    warnings.push_back("job '" + job.name + "' is no longer in " +
                       (c.file.empty() ? run.file : c.file) + ": its log is not parsed");
  }

  std::string log;
  if (job.attempts > 0) {
    auto text =
        logs.ReadJob(run.id, static_cast<uint32_t>(job.index), static_cast<uint16_t>(job.attempts));
    if (text.ok()) {
      log = std::move(*text);
    } else {
      warnings.push_back("cannot read the log: " + text.error().message);
    }
  }
  RepoPaths paths(c.repo_root, job_dir, &files);
  in.log = log;
  in.junit = out.tests ? &*out.tests : nullptr;
  in.paths = &paths;
  in.tail_lines = tail_lines;
  out.diagnosis = DiagnoseJob(in);
  out.diagnosis.warnings.insert(out.diagnosis.warnings.begin(), warnings.begin(), warnings.end());
  return out;
}

}  // namespace

RunContext ContextForFile(const std::string& pipeline_file, const plan::Plan* plan,
                          std::string logs_dir) {
  RunContext c;
  std::error_code ec;
  c.plan = plan;
  c.file = pipeline_file;
  c.logs_dir = std::move(logs_dir);
  c.dir = fs::absolute(pipeline_file, ec).parent_path().string();
  auto info = vcs::HeadInfo(c.dir);
  std::string root = info.ok() && !info->workdir.empty() ? info->workdir : c.dir;
  auto canonical = fs::weakly_canonical(root, ec);
  c.repo_root = ec ? root : canonical.string();
  auto dir = fs::weakly_canonical(c.dir, ec);
  if (!ec) c.dir = dir.string();
  return c;
}

Result<std::vector<DiagnosedJob>> DiagnoseRunJobs(store::Store& store, const store::RunRecord& run,
                                                  const std::vector<store::JobRecord>& jobs,
                                                  const RunContext& context, int tail_lines) {
  std::vector<DiagnosedJob> out;
  if (jobs.empty()) return out;
  auto attempts = store.GetAttempts(run.id, std::nullopt);
  if (!attempts.ok()) return attempts.error();
  auto reports = store.GetReports(run.id);
  if (!reports.ok()) return reports.error();
  store::LogReader logs(context.logs_dir);
  const GitRepoFiles files(context.repo_root);  // the index is read once, if ever needed
  for (const store::JobRecord& job : jobs)
    out.push_back(DiagnoseOne(job, run, *attempts, *reports, context, logs, files, tail_lines));
  return out;
}

Result<std::vector<DiagnosedJob>> DiagnoseRejection(store::Store& store, const Assessment& a,
                                                    const RunContext& context, int tail_lines) {
  if (a.verdict.decision != Decision::kReject) return std::vector<DiagnosedJob>{};
  auto jobs = store.GetJobs(a.run.id);
  if (!jobs.ok()) return jobs.error();
  std::vector<store::JobRecord> failed;
  for (const store::JobRecord& j : *jobs) {
    if (j.status != store::JobStatus::kFailed) continue;
    for (const FailedJob& f : a.verdict.failed_jobs)
      if (f.name == j.name) {
        failed.push_back(j);
        break;
      }
  }
  return DiagnoseRunJobs(store, a.run, failed, context, tail_lines);
}

}  // namespace gauntlet::gate
