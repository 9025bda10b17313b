// `gauntlet diagnose [RUN] [--job NAME]`: why the failed jobs of a run failed,
// as diagnostics (file:line:col, category, rule), failed tests, a fix suggestion
// and the end of each log; also as JSON, SARIF 2.1.0 or reviewdog's rdjson.
#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cache/confined.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "cli/pipeline_arg.h"
#include "gate/diagnosis.h"
#include "gate/parsers.h"
#include "gate/rdjson.h"
#include "gate/report_json.h"
#include "gate/report_recorder.h"
#include "gate/sarif.h"
#include "spec/model.h"
#include "store/log_store.h"
#include "vcs/repo.h"

namespace gauntlet::cli {
namespace {

namespace fs = std::filesystem;

struct DiagnoseArgs {
  std::string run, job, state_dir;
  bool sarif = false, rdjson = false;
  int lines = 20;
};

// One failed job, diagnosed.
struct Diagnosed {
  store::JobRecord job;
  std::string exit;                  // how its last attempt ended
  std::vector<std::string> parsers;  // what read its log (names and matcher files)
  std::optional<gate::TestReport> tests;
  std::vector<std::string> report_warnings;  // stored when the job ran
  gate::JobDiagnosis diagnosis;
};

// The pipeline file of the run, read again for the jobs' `diagnostics:` and
// `language:` (the run stores its results, not its configuration).
struct PipelineContext {
  LoadedPipeline loaded;
  bool ok = false;
  std::string dir;        // the pipeline file's directory: the workspace root
  std::string repo_root;  // the repository holding it, else `dir`
  std::vector<std::string> warnings;
};

PipelineContext LoadContext(const store::RunRecord& run) {
  PipelineContext c;
  std::error_code ec;
  c.dir = fs::path(run.file).parent_path().string();
  LoadPipeline(run.file, &c.loaded);
  c.ok = c.loaded.ok();
  if (!c.ok) {
    std::string why = c.loaded.problems.all().empty() ? std::string("invalid")
                                                      : c.loaded.problems.all().front().message;
    c.warnings.push_back(fmt::format(
        "cannot read the pipeline file {} ({}): logs are not parsed, only test reports are shown",
        run.file, why));
  }
  auto info = vcs::HeadInfo(c.dir);
  std::string root = info.ok() && !info->workdir.empty() ? info->workdir : c.dir;
  auto canonical = fs::weakly_canonical(root, ec);
  c.repo_root = ec ? root : canonical.string();
  auto dir = fs::weakly_canonical(c.dir, ec);
  if (!ec) c.dir = dir.string();
  return c;
}

// A problem-matcher file named by the job, beneath the pipeline file's directory.
Result<std::vector<gate::ProblemMatcher>> ReadMatchers(const std::string& dir,
                                                       const std::string& name) {
  auto root = cache::OpenRoot(dir);
  if (!root.ok()) return root.error();
  auto fd = cache::OpenFileBeneath(root->get(), name, O_RDONLY, false);
  if (!fd.ok()) return fd.error();
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd->get(), buf, sizeof buf)) > 0;) text.append(buf, n);
  return gate::LoadProblemMatchers(text, name);
}

const plan::PlannedJob* FindPlanned(const PipelineContext& c, const std::string& name) {
  if (!c.ok) return nullptr;
  for (const plan::PlannedJob& j : c.loaded.plan.jobs) {
    if (j.name == name) return &j;
  }
  return nullptr;
}

Diagnosed DiagnoseOne(const store::JobRecord& job, const store::RunRecord& run,
                      const std::vector<store::AttemptRecord>& attempts,
                      const std::vector<store::ReportRecord>& reports, const PipelineContext& c,
                      const store::LogReader& logs, int lines) {
  Diagnosed out;
  out.job = job;
  const store::AttemptRecord* last = nullptr;
  for (const auto& a : attempts) {
    if (a.job_index == job.index && (last == nullptr || a.number > last->number)) last = &a;
  }
  out.exit = last ? DescribeExit(*last) : "-";
  for (const store::ReportRecord& r : reports) {
    if (r.job_index != job.index) continue;
    if (r.kind == "junit") {
      auto t = gate::TestReportFromJson(r.json);
      if (t.ok()) out.tests = std::move(*t);
    } else if (r.kind == gate::kWarningsReportKind) {
      auto j = nlohmann::json::parse(r.json, nullptr, false);
      if (j.is_object() && j["warnings"].is_array()) {
        for (const auto& w : j["warnings"])
          if (w.is_string()) out.report_warnings.push_back(w.get<std::string>());
      }
    }
  }

  gate::JobDiagnosisInput in;
  std::string job_dir = c.dir;
  if (const plan::PlannedJob* planned = FindPlanned(c, job.name)) {
    std::vector<std::string> names = planned->spec->diagnostics;
    if (names.empty() && *spec::DefaultDiagnostics(planned->spec->language))
      names.push_back(spec::DefaultDiagnostics(planned->spec->language));
    for (const std::string& name : names) {
      out.parsers.push_back(name);
      if (!gate::IsProblemMatcherPath(name)) {
        in.parsers.push_back(name);
        continue;
      }
      auto m = ReadMatchers(c.dir, name);
      if (!m.ok()) {
        out.diagnosis.warnings.push_back("problem matcher " + name + ": " + m.error().message);
        continue;
      }
      in.matchers.insert(in.matchers.end(), m->begin(), m->end());
    }
    fs::path wd(planned->working_directory);
    job_dir = (wd.is_absolute() ? wd : fs::path(c.dir) / wd).lexically_normal().string();
  } else if (c.ok) {
    out.diagnosis.warnings.push_back(
        fmt::format("job '{}' is no longer in {}: its log is not parsed", job.name, run.file));
  }

  std::string log;
  if (job.attempts > 0) {
    auto text =
        logs.ReadJob(run.id, static_cast<uint32_t>(job.index), static_cast<uint16_t>(job.attempts));
    if (text.ok()) {
      log = std::move(*text);
    } else {
      out.diagnosis.warnings.push_back("cannot read the log: " + text.error().message);
    }
  }
  gate::RepoPaths paths(c.repo_root, job_dir);
  in.log = log;
  in.junit = out.tests ? &*out.tests : nullptr;
  in.paths = &paths;
  in.tail_lines = lines;
  std::vector<std::string> early = std::move(out.diagnosis.warnings);
  out.diagnosis = gate::DiagnoseJob(in);
  out.diagnosis.warnings.insert(out.diagnosis.warnings.begin(), early.begin(), early.end());
  return out;
}

nlohmann::json ReportCountsJson(const gate::TestReport& t) {
  return {{"tests", t.tests},   {"passed", t.passed()}, {"failures", t.failures},
          {"errors", t.errors}, {"skipped", t.skipped}, {"time_seconds", t.time_seconds}};
}

nlohmann::json DiagnosedJson(const Diagnosed& d) {
  nlohmann::json j = {
      {"index", d.job.index},
      {"name", d.job.name},
      {"status", store::ToString(d.job.status)},
      {"reason", d.job.reason},
      {"attempts", d.job.attempts},
      {"exit", d.exit},
      {"category", d.diagnosis.category ? nlohmann::json(gate::CategoryName(*d.diagnosis.category))
                                        : nlohmann::json(nullptr)},
      {"parsers", d.parsers},
      {"diagnostics", gate::ToJson(d.diagnosis.diagnostics)},
      {"tests", d.tests ? ReportCountsJson(*d.tests) : nlohmann::json(nullptr)},
      {"suggestion", d.diagnosis.suggestion},
      {"log_tail", d.diagnosis.log_tail},
      {"warnings", d.diagnosis.warnings},
  };
  for (const std::string& w : d.report_warnings) j["warnings"].push_back(w);
  return j;
}

// "src/a.c:3:5: message [rule]", with the severity when it is not an error.
std::string DiagnosticLine(const gate::Diagnostic& d) {
  std::string line = gate::FormatLocation(d);
  if (!line.empty()) line += ": ";
  if (d.severity != gate::Severity::kError)
    line += std::string(gate::SeverityName(d.severity)) + ": ";
  line += d.message.substr(0, d.message.find('\n'));
  if (!d.rule.empty()) line += " [" + d.rule + "]";
  return line;
}

void PrintHuman(const store::RunRecord& run, const std::vector<Diagnosed>& failed,
                const std::vector<std::string>& warnings) {
  fmt::print("run {}  {}  {}{}\n", run.id, run.pipeline, ShownStatus(run),
             run.reason.empty() ? "" : " (" + run.reason + ")");
  for (const std::string& w : warnings) fmt::print("warning: {}\n", w);
  for (const Diagnosed& d : failed) {
    fmt::print("\njob {}: failed, {}, {} attempt{}, category {}\n", d.job.name, d.exit,
               d.job.attempts, d.job.attempts == 1 ? "" : "s",
               d.diagnosis.category ? gate::CategoryName(*d.diagnosis.category) : "unknown");
    // "exit code 1" says again what the header says.
    if (!d.job.reason.empty() && !d.job.reason.starts_with("exit code"))
      fmt::print("  reason: {}\n", d.job.reason);
    if (d.tests)
      fmt::print("  tests: {} failed, {} passed, {} skipped of {}\n",
                 d.tests->failures + d.tests->errors, d.tests->passed(), d.tests->skipped,
                 d.tests->tests);
    // A compile error can cascade into hundreds: the first ones are what to fix.
    constexpr size_t kShown = 20;
    const auto& list = d.diagnosis.diagnostics;
    for (size_t i = 0; i < list.size() && i < kShown; ++i)
      fmt::print("  {}\n", DiagnosticLine(list[i]));
    if (list.size() > kShown)
      fmt::print("  ... and {} more (--json lists them all)\n", list.size() - kShown);
    if (d.diagnosis.diagnostics.empty()) {
      fmt::print("  no diagnostics found{}\n",
                 d.parsers.empty() ? " (no parser: set `diagnostics:` or `language:` on the job)"
                                   : " by " + fmt::format("{}", fmt::join(d.parsers, ", ")));
    }
    for (const std::string& w : d.diagnosis.warnings) fmt::print("  warning: {}\n", w);
    for (const std::string& w : d.report_warnings) fmt::print("  warning: {}\n", w);
    if (!d.diagnosis.suggestion.empty()) fmt::print("  suggestion: {}\n", d.diagnosis.suggestion);
    if (!d.diagnosis.log_tail.empty()) {
      fmt::print("  end of the log:\n");
      std::string_view tail = d.diagnosis.log_tail;
      for (size_t start = 0; start < tail.size();) {
        size_t nl = tail.find('\n', start);
        if (nl == std::string_view::npos) nl = tail.size();
        fmt::print("  | {}\n", tail.substr(start, nl - start));
        start = nl + 1;
      }
    }
  }
}

int RunDiagnose(const DiagnoseArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto run = ResolveRun(*h->store, args.run, &code);
  if (!run) return code;
  auto jobs = h->store->GetJobs(run->id);
  auto attempts = h->store->GetAttempts(run->id, std::nullopt);
  auto reports = h->store->GetReports(run->id);
  if (!jobs.ok() || !attempts.ok() || !reports.ok()) {
    const Error& e = !jobs.ok()       ? jobs.error()
                     : !attempts.ok() ? attempts.error()
                                      : reports.error();
    fmt::print(stderr, "gauntlet: {}\n", e.message);
    return kExitInternal;
  }

  std::vector<const store::JobRecord*> selected;
  for (const auto& j : *jobs) {
    // A spec job name selects every matrix job expanded from it, as `logs` does.
    if (args.job.empty() || j.name == args.job || j.name.starts_with(args.job + " ("))
      selected.push_back(&j);
  }
  if (!args.job.empty() && selected.empty()) {
    std::string known;
    for (const auto& j : *jobs) known += (known.empty() ? "" : ", ") + j.name;
    fmt::print(stderr, "gauntlet: run {} has no job '{}' (jobs: {})\n", run->id, args.job,
               known.empty() ? "none" : known);
    return kExitNotFound;
  }

  std::vector<const store::JobRecord*> failed;
  for (const auto* j : selected) {
    if (j->status == store::JobStatus::kFailed) failed.push_back(j);
  }
  std::vector<Diagnosed> diagnosed;
  std::vector<std::string> warnings;
  if (!failed.empty()) {
    PipelineContext context = LoadContext(*run);
    warnings = context.warnings;
    store::LogReader logs(h->ws.logs_dir());
    for (const auto* j : failed)
      diagnosed.push_back(DiagnoseOne(*j, *run, *attempts, *reports, context, logs, args.lines));
  }
  const int exit_code = diagnosed.empty() ? kExitOk : kExitFailed;

  std::vector<gate::Diagnostic> all;
  for (const Diagnosed& d : diagnosed)
    all.insert(all.end(), d.diagnosis.diagnostics.begin(), d.diagnosis.diagnostics.end());
  if (args.sarif) {
    fmt::print("{}\n", gate::ToSarif(all).dump(2));
    return exit_code;
  }
  if (args.rdjson) {
    fmt::print("{}\n", gate::ToRdjson(all).dump(2));
    return exit_code;
  }
  if (global.json) {
    nlohmann::json out = {{"run", run->id},
                          {"pipeline", run->pipeline},
                          {"status", ShownStatus(*run)},
                          {"reason", run->reason},
                          {"commit", run->git_commit},
                          {"branch", run->git_branch},
                          {"failed", diagnosed.size()},
                          {"warnings", warnings}};
    nlohmann::json list = nlohmann::json::array();
    for (const Diagnosed& d : diagnosed) list.push_back(DiagnosedJson(d));
    out["jobs"] = list;
    fmt::print("{}\n", out.dump(2));
    return exit_code;
  }
  if (diagnosed.empty()) {
    std::string what =
        args.job.empty() ? "no job failed" : "no job named '" + args.job + "' failed";
    fmt::print("run {}  {}  {}: {}\n", run->id, run->pipeline, ShownStatus(*run), what);
    return exit_code;
  }
  PrintHuman(*run, diagnosed, warnings);
  return exit_code;
}

}  // namespace

void RegisterDiagnose(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<DiagnoseArgs>();
  CLI::App* cmd = app.add_subcommand("diagnose", "Explain why the failed jobs of a run failed");
  cmd->footer(
      "For each failed job of a run (RUN: a run id; default: the latest run): its category\n"
      "(build, type, test, lint, security, other), the diagnostics its `diagnostics:`\n"
      "parsers (or its language's default) find in its log as file:line:col: message [rule],\n"
      "the failed tests of its JUnit report, how its last attempt ended and how many\n"
      "attempts it took, a one-line fix suggestion, and the last --lines lines of its log\n"
      "(secrets already masked). Paths are relative to the repository root. The parsers\n"
      "come from the pipeline file as it is now. --json: every field; --sarif: a SARIF\n"
      "2.1.0 log; --rdjson: reviewdog's rdjson (reviewdog -f=rdjson).\n"
      "Exit codes: 0 no job failed, 1 a job failed (diagnosed), 2 usage error, 3 no such\n"
      "run or job or no history, 4 internal error.\n");
  cmd->add_option("RUN", args->run, "Run id (default: latest)");
  cmd->add_option("--job", args->job, "Only this job (or every matrix job of a spec job)");
  cmd->add_option("--lines", args->lines, "Lines of each failed job's log to show (default 20)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  auto* json = cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  auto* sarif = cmd->add_flag("--sarif", args->sarif, "SARIF 2.1.0 on stdout");
  auto* rdjson = cmd->add_flag("--rdjson", args->rdjson, "reviewdog rdjson on stdout");
  json->excludes(sarif)->excludes(rdjson);
  sarif->excludes(rdjson);
  *run = [args, &global]() { return RunDiagnose(*args, global); };
}

}  // namespace gauntlet::cli
