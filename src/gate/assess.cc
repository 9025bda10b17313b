#include "gate/assess.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>
#include <set>

#include "gate/report_json.h"
#include "gate/trust_history.h"

namespace gauntlet::gate {
namespace {

namespace fs = std::filesystem;

std::string TrailerValue(const store::RunRecord& run, std::string_view key) {
  std::string value;
  for (const auto& [k, v] : run.trailers) {
    if (k.size() == key.size() && std::equal(k.begin(), k.end(), key.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      value = v;
    }
  }
  return value;
}

std::vector<store::RunId> FixAttempts(const std::vector<store::RunRecord>& runs,
                                      const Assessment& a) {
  std::set<std::string> commits;
  int64_t since_ms = std::numeric_limits<int64_t>::max();
  for (const ChangeCommit& c : a.identity.commits) commits.insert(c.commit);
  for (const vcs::RangeCommit& c : a.range.commits) since_ms = std::min(since_ms, c.time * 1000);
  const std::string branch = !a.range.head_branch.empty() ? a.range.head_branch : a.run.git_branch;
  const bool own_branch = !branch.empty() && branch != "HEAD" && branch != a.range.default_branch;
  std::vector<store::RunId> out;
  for (const store::RunRecord& r : runs) {
    if (r.id == a.run.id || r.status != store::RunStatus::kFailed) continue;
    bool ours = commits.count(r.git_commit) > 0;
    if (!ours && r.started_ms >= since_ms) {
      ours = (!a.identity.task_id.empty() && TrailerValue(r, "Task-ID") == a.identity.task_id) ||
             (own_branch && r.git_branch == branch);
    }
    if (ours) out.push_back(r.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Removes the files under `state_dir` from the change: the run history, logs and
// artifacts that a `git add -A` made before the state directory had its .gitignore.
void DropStateFiles(vcs::Range& range, const std::string& state_dir) {
  if (state_dir.empty() || range.workdir.empty()) return;
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(range.workdir, ec);
  const fs::path state = fs::weakly_canonical(state_dir, ec);
  const fs::path rel = state.lexically_relative(root);
  if (rel.empty() || *rel.begin() == ".." || rel == ".") return;
  const std::string prefix = rel.generic_string() + "/";
  std::erase_if(range.files, [&](const vcs::FileDiff& f) { return f.path.starts_with(prefix); });
}

}  // namespace

Result<Assessment> Assess(store::Store& store, const spec::Pipeline& pipeline,
                          const GateOptions& opt, AssessFailure* failure) {
  AssessFailure ignored;
  if (failure == nullptr) failure = &ignored;
  *failure = AssessFailure::kInternal;
  auto fail = [&](AssessFailure kind, Error e) -> Result<Assessment> {
    *failure = kind;
    return e;
  };

  Assessment a;
  auto range = vcs::ReadRange(opt.repo_path, opt.base_ref, opt.head_ref);
  if (!range.ok()) return fail(AssessFailure::kInvalid, range.error());
  a.range = std::move(range).value();
  DropStateFiles(a.range, opt.state_dir);
  a.identity = IdentityOf(a.range);

  auto rules = RiskRules::FromGates(pipeline.gates);
  if (!rules.ok()) return fail(AssessFailure::kInvalid, rules.error());
  std::vector<FileRisk> files;
  for (const vcs::FileDiff& f : a.range.files) files.push_back({f.path, {}, f.added, f.deleted});
  a.risk = AssessRisk(*rules, std::move(files));

  // The run judged, and the pipeline's whole history (trust and fix attempts need it).
  store::RunFilter all;
  all.pipeline = pipeline.name;
  all.limit = std::numeric_limits<int>::max();
  auto runs = store.ListRuns(all);
  if (!runs.ok()) return runs.error();
  if (opt.run) {
    auto run = store.GetRun(*opt.run);
    if (!run.ok()) return run.error();
    if (!*run) {
      return fail(AssessFailure::kNotFound, Error{"no run " + std::to_string(*opt.run)});
    }
    a.run = **run;
    if (a.run.git_commit != a.range.head) {
      a.notes.push_back("run " + std::to_string(a.run.id) + " is of commit " +
                        a.run.git_commit.substr(0, 10) + ", not of the head " +
                        a.range.head.substr(0, 10));
    }
  } else {
    auto it = std::find_if(runs->begin(), runs->end(),
                           [&](const auto& r) { return r.git_commit == a.range.head; });
    if (it == runs->end()) {
      return fail(AssessFailure::kNotFound,
                  Error{"no run of pipeline '" + pipeline.name + "' for commit " +
                        a.range.head.substr(0, 10) +
                        ": run `gauntlet run` on it first, or name one with --run"});
    }
    a.run = *it;
  }

  GateInputs in;
  in.run = a.run;
  auto jobs = store.GetJobs(a.run.id);
  if (!jobs.ok()) return jobs.error();
  in.jobs = std::move(jobs).value();
  for (const auto& r : pipeline.gates.required) in.required.push_back(r.value);

  auto reports = store.GetReports(a.run.id);
  if (!reports.ok()) return reports.error();
  std::vector<Coverage> coverages;
  for (const store::ReportRecord& r : *reports) {
    if (r.kind == "junit") {
      auto t = TestReportFromJson(r.json);
      if (!t.ok()) {
        a.notes.push_back("job " + r.job_name + ": unreadable test report: " + t.error().message);
        continue;
      }
      if (!a.tests) a.tests = TestReport{};
      Merge(*a.tests, std::move(t).value());
    } else if (r.kind == "coverage") {
      auto c = CoverageFromJson(r.json);
      if (!c.ok()) {
        a.notes.push_back("job " + r.job_name + ": unreadable coverage: " + c.error().message);
        continue;
      }
      coverages.push_back(std::move(c).value());
    }
  }
  in.tests = a.tests;
  if (!coverages.empty()) in.coverage = MergeCoverage(coverages);
  in.min_line = pipeline.gates.min_line_coverage;
  in.min_new_code = pipeline.gates.new_code_line_coverage;
  in.changed_lines = ChangedLines(a.range);
  in.risk = a.risk.risk;

  // Reverts first: a revert in this change is an incident of the commit it names.
  auto reverts = RecordRevertIncidents(store, a.identity, opt.now_ms);
  if (!reverts.ok()) return reverts.error();
  a.reverts_recorded = *reverts;

  // Without main/master (or origin/HEAD) runs on `main` are the merged ones, as for
  // `gauntlet trust` outside a repository.
  const TrustScope scope{pipeline.name,
                         a.range.default_branch.empty() ? "main" : a.range.default_branch};
  auto histories = LoadTrustHistories(store, scope);
  if (!histories.ok()) return histories.error();
  std::vector<Author> authors = a.identity.authors;
  if (authors.empty() && !a.run.author_email.empty()) {
    authors.push_back({a.run.author_name, a.run.author_email});
  }
  a.trust_level = authors.empty() ? TrustLevel::kL0 : TrustLevel::kL3;
  for (const Author& author : authors) {
    const std::string key = AuthorKey(author);
    auto standing = StandingOf(store, scope, pipeline.gates, *histories, key, opt.now_ms);
    if (!standing.ok()) return standing.error();
    a.trust_level = std::min(a.trust_level, standing->level);
    a.trust.push_back({author, key, std::move(standing).value()});
  }
  in.trust = a.trust_level;

  a.fix_attempt_runs = FixAttempts(*runs, a);
  in.fix_attempts = static_cast<int>(a.fix_attempt_runs.size());
  in.max_fix_attempts = pipeline.gates.max_fix_attempts;

  a.verdict = Decide(in);
  *failure = AssessFailure::kNone;
  return a;
}

}  // namespace gauntlet::gate
