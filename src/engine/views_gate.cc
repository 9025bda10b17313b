#include "engine/views_gate.h"

#include <fmt/core.h>

#include "engine/views_run.h"
#include "gate/report_json.h"

namespace gauntlet::engine {
namespace {

using nlohmann::json;

json ReportCountsJson(const gate::TestReport& t) {
  return {{"tests", t.tests},   {"passed", t.passed()}, {"failures", t.failures},
          {"errors", t.errors}, {"skipped", t.skipped}, {"time_seconds", t.time_seconds}};
}

json AuthorJson(const gate::Author& a) { return {{"name", a.name}, {"email", a.email}}; }

const gate::DiagnosedJob* FindDiagnosis(const std::vector<gate::DiagnosedJob>& list,
                                        const std::string& name) {
  for (const auto& d : list) {
    if (d.job.name == name) return &d;
  }
  return nullptr;
}

json ChangeJson(const gate::Assessment& a) {
  json commits = json::array();
  for (const auto& c : a.identity.commits) {
    commits.push_back({{"commit", c.commit},
                       {"author", AuthorJson(c.author)},
                       {"subject", c.subject},
                       {"agent_by", c.agent_by},
                       {"task_id", c.task_id},
                       {"model", c.model},
                       {"reverts", c.reverts}});
  }
  json files = json::array();
  for (const auto& f : a.risk.files) {
    files.push_back({{"path", f.path},
                     {"risk", gate::ToString(f.risk)},
                     {"added", f.added},
                     {"deleted", f.deleted}});
  }
  return {{"base", a.range.base},
          {"head", a.range.head},
          {"how", a.range.how},
          {"branch", a.range.head_branch.empty() ? a.run.git_branch : a.range.head_branch},
          {"default_branch", a.range.default_branch},
          {"commits", commits},
          {"files", files},
          {"lines", a.risk.lines},
          {"size", gate::ToString(a.risk.size)}};
}

json TrustJson(const gate::Assessment& a) {
  json authors = json::array();
  for (const auto& t : a.trust) {
    authors.push_back({{"author", AuthorJson(t.author)},
                       {"key", t.key},
                       {"level", gate::ToString(t.standing.level)},
                       {"merged", t.standing.merged},
                       {"incidents", t.standing.incidents},
                       {"history_days", t.standing.history_days},
                       {"why", t.standing.why},
                       {"next", t.standing.next}});
  }
  return {{"level", gate::ToString(a.trust_level)}, {"authors", authors}};
}

json ChecksJson(const gate::Verdict& v) {
  json checks = json::array();
  for (const auto& c : v.checks) {
    checks.push_back({{"name", c.name},
                      {"status", gate::ToString(c.status)},
                      {"value", c.value},
                      {"threshold", c.threshold},
                      {"message", c.message}});
  }
  return checks;
}

json FailedJobsJson(const gate::Verdict& v, const std::vector<gate::DiagnosedJob>& diagnoses) {
  json failed = json::array();
  for (const auto& f : v.failed_jobs) {
    json entry = {{"name", f.name}, {"status", f.status}, {"reason", f.reason}};
    // The job's category, every diagnostic, its failed tests and the suggestion.
    if (const gate::DiagnosedJob* d = FindDiagnosis(diagnoses, f.name))
      entry.update(DiagnosedJobJson(*d));
    failed.push_back(std::move(entry));
  }
  return failed;
}

}  // namespace

std::string ExitOf(const gate::DiagnosedJob& d) {
  return d.last_attempt ? DescribeExit(*d.last_attempt) : "-";
}

json DiagnosedJobJson(const gate::DiagnosedJob& d) {
  json j = {
      {"index", d.job.index},
      {"name", d.job.name},
      {"status", store::ToString(d.job.status)},
      {"reason", d.job.reason},
      {"attempts", d.job.attempts},
      {"exit", ExitOf(d)},
      {"category", d.diagnosis.category ? json(gate::CategoryName(*d.diagnosis.category))
                                        : json(nullptr)},
      {"parsers", d.parsers},
      {"diagnostics", gate::ToJson(d.diagnosis.diagnostics)},
      {"tests", d.tests ? ReportCountsJson(*d.tests) : json(nullptr)},
      {"suggestion", d.diagnosis.suggestion},
      {"log_tail", d.diagnosis.log_tail},
      {"warnings", d.diagnosis.warnings},
  };
  for (const std::string& w : d.report_warnings) j["warnings"].push_back(w);
  return j;
}

json DiagnosisJson(const store::RunRecord& run, std::string_view status,
                   const std::vector<gate::DiagnosedJob>& jobs,
                   const std::vector<std::string>& warnings) {
  json out = {{"run", run.id},
              {"pipeline", run.pipeline},
              {"status", status},
              {"reason", run.reason},
              {"commit", run.git_commit},
              {"branch", run.git_branch},
              {"failed", jobs.size()},
              {"warnings", warnings}};
  json list = json::array();
  for (const gate::DiagnosedJob& d : jobs) list.push_back(DiagnosedJobJson(d));
  out["jobs"] = std::move(list);
  return out;
}

json VerdictJson(const gate::Assessment& a, const std::vector<gate::DiagnosedJob>& diagnoses) {
  const gate::Verdict& v = a.verdict;
  json out = {
      {"decision", gate::ToString(v.decision)},
      {"exit_code", gate::ExitCodeFor(v.decision)},
      {"reasons", v.reasons},
      {"change", ChangeJson(a)},
      {"identity",
       {{"author", AuthorJson(a.identity.author)},
        {"by_agent", a.identity.by_agent()},
        {"agent_by", a.identity.agent_by},
        {"task_id", a.identity.task_id},
        {"model", a.identity.model}}},
      {"risk",
       {{"class", gate::ToString(a.risk.risk)},
        {"size", gate::ToString(a.risk.size)},
        {"lines", a.risk.lines},
        {"allowed", gate::MaxRiskFor(a.trust_level)}}},
      {"trust", TrustJson(a)},
      {"run",
       {{"id", a.run.id},
        {"status", store::ToString(a.run.status)},
        {"commit", a.run.git_commit},
        {"branch", a.run.git_branch}}},
      {"fix_attempts", {{"count", a.fix_attempt_runs.size()}, {"runs", a.fix_attempt_runs}}},
      {"checks", ChecksJson(v)},
      {"failed_jobs", FailedJobsJson(v, diagnoses)},
      {"diagnostics", a.tests ? gate::ToJson(a.tests->diagnostics) : json::array()},
      {"reverts_recorded", a.reverts_recorded},
      {"notes", a.notes},
  };
  if (v.decision == gate::Decision::kReject) {
    out["next"] = fmt::format("gauntlet diagnose {}", a.run.id);
  }
  return out;
}

json TrustStandingJson(const std::string& key, const gate::AuthorHistory* h,
                       const gate::TrustStanding& s) {
  return {{"author", key},
          {"name", h != nullptr ? h->author.name : ""},
          {"level", gate::ToString(s.level)},
          {"may_merge_alone", gate::MaxRiskFor(s.level)},
          {"merged", s.merged},
          {"incidents", s.incidents},
          {"first_ms", s.first_ms},
          {"history_days", s.history_days},
          {"why", s.why},
          {"next", s.next}};
}

json TrustHistoryJson(const std::string& key, const gate::AuthorHistory* history,
                      const gate::TrustStanding& s, const std::string& repository,
                      const std::vector<store::TrustChangeRecord>& changes) {
  json j = TrustStandingJson(key, history, s);
  j["repository"] = repository;
  j["changes"] = json::array();
  for (const auto& c : changes) {
    j["changes"].push_back(
        {{"from", c.from_level}, {"to", c.to_level}, {"at_ms", c.at_ms}, {"reason", c.reason}});
  }
  return j;
}

}  // namespace gauntlet::engine
