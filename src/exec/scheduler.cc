#include "exec/scheduler.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "core/fd.h"
#include "exec/job_masker.h"
#include "exec/job_render.h"
#include "exec/outputs.h"
#include "spec/expr.h"
#include "spec/matrix.h"
#include "spec/workflow_call.h"
#include "spec/workflow_context.h"

extern "C" char** environ;

namespace gauntlet::exec {

using plan::JobId;
using plan::PlannedJob;

struct Scheduler::JobRun {
  int attempt = 0;  // attempts started by this engine (what `retry:` counts)
  int before = 0;   // attempts an earlier engine made (a resumed run): numbering goes on
  int number() const { return before + attempt; }  // the attempt's number, 1-based
  ProcId proc = -1;  // -1: no process running
  TimePoint retry_at{};
  TimePoint first_start{};
  std::string script;
  std::vector<std::string> env_strings;  // this job's own layers; stable storage for envp
  std::vector<char*> envp;
  // The variables that change with each attempt (GAUNTLET_TAG, GAUNTLET_ATTEMPT,
  // GAUNTLET_OUTPUT): their index into env_strings (the last three) and into envp.
  size_t attempt_env[3] = {0, 0, 0};
  size_t attempt_ptr[3] = {0, 0, 0};
  std::string tag;  // GAUNTLET_TAG of the current attempt
  std::string output_path;
  std::string directory;  // where it runs: the workspace or its working_directory there
  std::unique_ptr<JobMasker> masker;  // for all its attempts: ::add-mask:: values stay
  std::string scratch;
};

namespace {

// Local rather than core's FormatDuration, which lands with the loader.
std::string ShortDuration(Duration d) {
  auto ms = d.count();
  if (ms % 3600000 == 0 && ms) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0 && ms) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0 && ms) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string FailureReason(const AttemptResult& r, Duration timeout) {
  if (!r.error.empty()) return r.error;
  if (r.timed_out) return "timed out after " + ShortDuration(timeout);
  if (r.signal != 0) return "killed by signal " + std::to_string(r.signal);
  return "exit code " + std::to_string(r.exit_code);
}

// A relative working_directory is below the workspace; an absolute one stands.
std::string JobDirectory(const std::string& workspace, const std::string& wd) {
  if (wd.empty()) return workspace;
  if (wd.front() == '/' || workspace.empty()) return wd;
  return workspace + "/" + wd;
}

// The running gauntlet binary; "gauntlet" (found on PATH) if /proc cannot say.
const std::string& SelfPath() {
  static const std::string path = [] {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("gauntlet");
  }();
  return path;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Scheduler::Scheduler(const plan::Plan& plan, ProcessRunner* runner, Observer* observer,
                     SchedulerOptions options)
    : plan_(plan),
      runner_(runner),
      observer_(observer),
      options_(std::move(options)),
      tracker_(plan),
      results_(plan.jobs.size()),
      runs_(plan.jobs.size()),
      group_running_(plan.groups.size(), 0),
      group_waiting_(plan.groups.size()),
      group_failed_(plan.groups.size(), -1),
      holds_group_place_(plan.jobs.size(), 0),
      conc_ticket_(plan.jobs.size(), -1),
      conc_group_(plan.jobs.size()),
      conc_note_(plan.jobs.size()),
      conc_stopped_(plan.jobs.size()) {
  masker_ = Masker::ForSecrets(options_.secrets);
  process_tag_ = !options_.process_tag.empty()
                     ? options_.process_tag
                     : "engine-" + std::to_string(getpid()) + "/" + options_.run_id;
  parallelism_ = options_.parallelism > 0
                     ? options_.parallelism
                     : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (options_.base_env) {
    base_env_ = *options_.base_env;
  } else {
    for (char** e = environ; e && *e; ++e) base_env_.emplace_back(*e);
  }
  for (size_t i = 0; i < base_env_.size(); ++i) {
    std::string_view kv = base_env_[i];
    base_ptrs_.push_back(base_env_[i].data());
    base_index_[kv.substr(0, kv.find('='))] = i;  // later duplicates win, like getenv
  }
}

Scheduler::~Scheduler() = default;

ProcId Scheduler::ProcOf(JobId id) const { return runs_[id] ? runs_[id]->proc : -1; }

int Scheduler::AttemptsOf(JobId id) const { return runs_[id] ? runs_[id]->number() : 0; }

void Scheduler::Cancel() {
  cancel_requested_ = true;
  runner_->Wake();
}

nlohmann::json Scheduler::Contexts(JobId id, Status* calls) {
  const PlannedJob& job = plan_.jobs[id];
  nlohmann::json c = nlohmann::json::object();
  // As the job's environment layers it: gauntlet's own, the pipeline's, the job's.
  if (base_env_json_.is_null()) {
    base_env_json_ = nlohmann::json::object();
    for (const std::string& kv : base_env_) {
      size_t eq = kv.find('=');
      if (eq != std::string::npos) base_env_json_[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  nlohmann::json env = base_env_json_;
  if (plan_.pipeline) {
    for (const auto& [k, v] : plan_.pipeline->env) env[k] = v;
  }
  if (job.spec) {
    for (const auto& [k, v] : job.spec->env) env[k] = v;
  }
  c["env"] = std::move(env);
  c["matrix"] = spec::MatrixContext(job.matrix);
  nlohmann::json needs = nlohmann::json::object();
  // A called workflow's job reads its own jobs by the names its file gives them.
  const std::string prefix = job.spec ? job.spec->call_prefix : "";
  for (JobId n : job.needs) {
    const JobResult& r = results_[n];
    nlohmann::json outputs = nlohmann::json::object();
    for (const auto& [k, v] : r.outputs) outputs[k] = v;
    nlohmann::json entry = {{"outputs", outputs},
                            {"result", r.continued_on_error ? "success" : JobStateName(r.state)}};
    if (r.state == JobState::kFailed && !r.continued_on_error) entry["result"] = "failure";
    // The job of a reusable workflow call fails with the called jobs (spec/workflow_call.h).
    const spec::Job* needed = plan_.jobs[n].spec;
    if (r.upstream_failed && needed && needed->call_prefix == needed->name + " / ")
      entry["result"] = "failure";
    // By full name, and by base name: a matrix job's combinations merged as GitHub does,
    // each output the last non-empty value one of them set (so outputs that different
    // combinations set all arrive), the result the last one's.
    nlohmann::json& merged = needs[spec::NeedsKey(plan_.jobs[n].base_name, prefix)];
    if (merged.is_object()) {
      for (const auto& [k, v] : outputs.items())
        if (!v.get_ref<const std::string&>().empty() || !merged["outputs"].contains(k))
          merged["outputs"][k] = v;
      // A combination that failed fails the whole matrix, as on GitHub.
      if (merged["result"] != "failure") merged["result"] = entry["result"];
    } else {
      merged = entry;
    }
    needs[spec::NeedsKey(plan_.jobs[n].name, prefix)] = std::move(entry);
  }
  c["needs"] = std::move(needs);
  if (options_.resolve_branch) {
    options_.branch = options_.resolve_branch();
    options_.resolve_branch = nullptr;
  }
  c["branch"] = options_.branch;
  c["event"] = options_.event.is_null() ? nlohmann::json{{"name", "manual"}} : options_.event;
  if (!options_.changes.is_null()) c["changes"] = options_.changes;
  nlohmann::json secrets = nlohmann::json::object();
  for (const auto& [k, v] : options_.secrets) secrets[k] = v;
  c["secrets"] = std::move(secrets);
  if (plan_.pipeline && plan_.pipeline->workflow) AddWorkflowContexts(job, &c, calls);
  return c;
}

void Scheduler::AddWorkflowContexts(const PlannedJob& job, nlohmann::json* c,
                                    Status* calls) const {
  const nlohmann::json event = (*c)["event"];
  spec::WorkflowRunFacts facts;
  facts.event = &event;
  facts.branch = options_.branch;
  facts.workflow = plan_.pipeline->name.empty() ? plan_.pipeline->file : plan_.pipeline->name;
  facts.job = job.base_name;
  facts.run_id = options_.run_id;
  facts.workspace = options_.workspace;
  if (job.spec && !job.spec->commands.empty()) facts.script = &job.spec->commands[0];
  if (job.spec) {
    facts.fail_fast = job.spec->fail_fast;
    facts.max_parallel = job.spec->max_parallel;
  }
  facts.job_total = 0;
  for (const PlannedJob& other : plan_.jobs) {
    if (other.base_name != job.base_name) continue;
    if (other.id == job.id) facts.job_index = facts.job_total;
    ++facts.job_total;
  }
  spec::AddWorkflowContexts(facts, c);
  if (!job.spec || job.spec->calls.empty()) return;
  Status applied = spec::ApplyWorkflowCalls(job.spec->calls, c);
  if (calls) *calls = std::move(applied);
}

void Scheduler::Finish(JobId id, JobResult result) {
  const int group = plan_.jobs[id].group;
  if (holds_group_place_[id]) {
    holds_group_place_[id] = 0;
    --group_running_[group];
  }
  if (conc_ticket_[id] >= 0) LeaveGroup(id);
  const bool failed = result.state == JobState::kFailed && !result.continued_on_error;
  if (failed) {
    run_failed_ = true;
    if (!options_.keep_going) stopping_ = true;
  }
  // May quote values: masked with the job's own additions where it ran.
  const JobRun* run = runs_[id].get();
  result.reason = (run && run->masker ? run->masker->masker() : masker_).MaskString(result.reason);
  if (runs_[id] && result.attempts > 0) {
    result.duration =
        std::chrono::duration_cast<Micros>(runner_->clock()->Now() - runs_[id]->first_start);
  }
  results_[id] = std::move(result);
  tracker_.Finish(id);
  dirty_ = true;
  finished_epoch_[id] = epoch_;
  observer_->OnJobFinished(plan_.jobs[id], results_[id]);
  if (runs_[id]) runs_[id].reset();  // release the job's env and buffers
  if (failed && group >= 0 && plan_.groups[group].fail_fast && group_failed_[group] < 0)
    FailFast(id);
}

JobResult Scheduler::GroupCancelled(JobId id) const {
  const int group = plan_.jobs[id].group;
  JobResult r;
  r.state = JobState::kCancelled;
  r.attempts = runs_[id] ? runs_[id]->number() : 0;
  r.reason = plan_.jobs[group_failed_[group]].name + " failed (fail-fast)";
  // Dependents see the group's failure, not a cancelled run (as on GitHub).
  r.upstream_failed = true;
  return r;
}

void Scheduler::FailFast(JobId failed) {
  const int group = plan_.jobs[failed].group;
  group_failed_[group] = failed;
  std::vector<JobId> waiting;
  waiting.swap(group_waiting_[group]);
  for (JobId id : plan_.groups[group].jobs) {
    if (id == failed || tracker_.finished(id)) continue;
    if (runs_[id] && runs_[id]->proc >= 0) {
      runner_->Cancel(runs_[id]->proc);  // AttemptDone reports it
      continue;
    }
    // Waiting for room, for a retry or its backoff, for its concurrency group: cancelled
    // now; not ready yet: when PopStartable reaches it.
    if (Drop(waiting, id) || Drop(backoff_, id) || Drop(retry_ready_, id) ||
        Drop(conc_waiting_, id) || Drop(conc_ready_, id))
      Finish(id, GroupCancelled(id));
  }
}

bool Scheduler::Decide(JobId id) {
  const PlannedJob& job = plan_.jobs[id];
  auto finish = [&](JobState state, std::string reason, bool upstream_failed = false) {
    JobResult r;
    r.state = state;
    r.reason = std::move(reason);
    r.upstream_failed = upstream_failed;
    Finish(id, std::move(r));
    return false;
  };
  if (cancelling_) return finish(JobState::kCancelled, StopReason());

  using S = spec::EvalContext::Status;
  S status = S::kSuccess;
  for (JobId n : job.needs) {
    const JobResult& r = results_[n];
    if (r.state == JobState::kCancelled && !r.upstream_failed) {
      status = S::kCancelled;
    } else if (!r.counts_as_success() && status != S::kCancelled) {
      status = S::kFailure;
    }
  }

  std::string_view if_expr = job.spec ? std::string_view(job.spec->if_expr) : "";
  if (if_expr.size() >= 5 && if_expr.substr(0, 3) == "${{" &&
      if_expr.substr(if_expr.size() - 2) == "}}") {
    if_expr = if_expr.substr(3, if_expr.size() - 5);  // tolerate a wrapped condition
  }
  spec::Expr expr;
  bool status_function = false;  // any of the four: no implied success() &&
  bool despite_failure = false;  // always(), failure(), cancelled(): may run after a failure
  if (!if_expr.empty()) {
    spec::ExprError err;
    if (!spec::Expr::Parse(if_expr, &expr, &err)) {
      return finish(JobState::kFailed, "if: " + err.message);
    }
    for (const auto& [name, offset] : expr.Calls()) {
      std::string n = Lower(name);
      if (n == "always" || n == "failure" || n == "cancelled") despite_failure = true;
      if (despite_failure || n == "success") status_function = true;
    }
  }
  if (stopping_ && !despite_failure) {
    return finish(JobState::kSkipped, "not started: an earlier job failed (fail-fast)", true);
  }
  bool run = status == S::kSuccess;
  if (!if_expr.empty()) {
    spec::EvalContext ctx{Contexts(id), status};
    Result<nlohmann::json> v = spec::Evaluate(expr, ctx);
    if (!v.ok()) return finish(JobState::kFailed, "if: " + v.error().message);
    // Without a status function GitHub implies `success() && (expr)`.
    run = spec::Truthy(*v) && (status_function || status == S::kSuccess);
  }
  if (!run) {
    if (status == S::kSuccess) {
      return finish(JobState::kSkipped, "if: " + std::string(if_expr) + " is false");
    }
    return finish(JobState::kSkipped,
                  status == S::kCancelled ? "a needed job was cancelled" : "a needed job failed",
                  true);
  }
  return true;
}

Status Scheduler::Prepare(JobId id) {
  const PlannedJob& job = plan_.jobs[id];
  JobRun& run = *runs_[id];
  run.directory = JobDirectory(options_.workspace, job.working_directory);
  // A called workflow's job: its inputs must evaluate, and its secrets (named for it by
  // the caller) are variables of its own, as a run's secrets are for other jobs.
  std::vector<std::pair<std::string, std::string>> call_secrets;
  if (job.spec && !job.spec->calls.empty()) {
    Status called = Ok();
    nlohmann::json c = Contexts(id, &called);
    if (!called.ok()) return called.error();
    for (const auto& [k, v] : c["secrets"].items())
      call_secrets.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  Result<RenderedJob> rendered = RenderJob(job, plan_, [&] { return Contexts(id); });
  if (!rendered.ok()) return rendered.error();
  run.script = std::move(rendered->script);
  Status status = Ok();
  // Layers, later wins: pipeline env, job env, the script's expression variables, the
  // job's secrets, the engine's own.
  std::vector<std::pair<std::string_view, std::string>> layers;
  layers.reserve(rendered->env.size() + job.spec->secrets.size() + 7);
  for (auto& [k, v] : rendered->env) layers.emplace_back(k, std::move(v));
  for (const std::string& name : job.spec->secrets) {
    auto it = std::find_if(options_.secrets.begin(), options_.secrets.end(),
                           [&](const auto& s) { return s.first == name; });
    if (it == options_.secrets.end()) {
      status = Error{"secret '" + name + "' is not defined"};
    } else {
      layers.emplace_back(name, it->second);
    }
  }
  for (auto& [k, v] : call_secrets) layers.emplace_back(k, std::move(v));
  // A workflow job's script calls back into gauntlet (spec/workflow_script.h).
  if (plan_.pipeline && plan_.pipeline->workflow) {
    layers.emplace_back("GAUNTLET_EXE", SelfPath());
    if (!options_.state_dir.empty()) layers.emplace_back("GAUNTLET_STATE_DIR", options_.state_dir);
  }
  layers.emplace_back("CI", "true");
  layers.emplace_back("GAUNTLET_JOB", job.name);
  layers.emplace_back("GAUNTLET_RUN_ID", options_.run_id);
  // Must stay last, in this order (JobRun::attempt_env): rewritten for each attempt.
  layers.emplace_back("GAUNTLET_TAG", "");
  layers.emplace_back("GAUNTLET_ATTEMPT", "");
  layers.emplace_back("GAUNTLET_OUTPUT", "");
  if (!status.ok()) return status;

  run.env_strings.reserve(layers.size());
  run.envp = base_ptrs_;
  std::vector<std::pair<std::string_view, size_t>> added;  // key -> envp index
  for (auto& layer : layers) {
    const auto& k = layer.first;  // a named reference: lambdas may not capture a binding (clang)
    run.env_strings.push_back(std::string(k) + "=" + layer.second);
    char* ptr = run.env_strings.back().data();
    size_t slot;
    auto base = base_index_.find(k);
    auto mine =
        std::find_if(added.begin(), added.end(), [&](const auto& a) { return a.first == k; });
    if (mine != added.end()) {
      slot = mine->second;
    } else if (base != base_index_.end()) {
      slot = base->second;
      added.emplace_back(k, slot);
    } else {
      slot = run.envp.size();
      run.envp.push_back(nullptr);
      added.emplace_back(k, slot);
    }
    run.envp[slot] = ptr;
  }
  // By key: a job's own env may have named these variables before us.
  auto slot_of = [&](std::string_view key) {
    return std::find_if(added.begin(), added.end(), [&](const auto& a) { return a.first == key; })
        ->second;
  };
  const char* names[3] = {"GAUNTLET_TAG", "GAUNTLET_ATTEMPT", "GAUNTLET_OUTPUT"};
  for (int i = 0; i < 3; ++i) {
    run.attempt_env[i] = run.env_strings.size() - 3 + i;
    run.attempt_ptr[i] = slot_of(names[i]);
  }
  run.envp.push_back(nullptr);
  return Ok();
}

bool Scheduler::AskHooks(JobId id) {
  const PlannedJob& job = plan_.jobs[id];
  if (!options_.hooks || job.kind != PlannedJob::Kind::kJob) return true;
  Result<std::optional<JobResult>> r = options_.hooks->BeforeStart(job, results_);
  if (r.ok() && !*r) return true;
  JobResult result;
  if (r.ok()) {
    result = std::move(**r);
  } else {
    result.state = JobState::kFailed;
    result.reason = r.error().message;
    result.continued_on_error = job.continue_on_error;
  }
  Finish(id, std::move(result));
  return false;
}

void Scheduler::Emit(JobId id, std::string_view bytes) {
  if (!bytes.empty()) observer_->OnOutput(plan_.jobs[id], runs_[id]->number(), bytes);
}

void Scheduler::StartAttempt(JobId id) {
  const PlannedJob& job = plan_.jobs[id];
  if (!runs_[id]) {
    runs_[id] = std::make_unique<JobRun>();
    runs_[id]->first_start = runner_->clock()->Now();
    if (static_cast<size_t>(id) < options_.attempts_before.size())
      runs_[id]->before = options_.attempts_before[id];
    Status s = Prepare(id);
    if (!s.ok()) {
      JobResult r;
      r.state = JobState::kFailed;
      r.reason = masker_.MaskString(s.error().message);
      r.continued_on_error = job.continue_on_error;
      Finish(id, std::move(r));
      return;
    }
  }
  JobRun& run = *runs_[id];
  ++run.attempt;
  const std::string number = std::to_string(run.number());
  run.output_path = options_.run_dir + "/out-" + std::to_string(id) + "-" + number;
  run.tag = process_tag_ + "/" + std::to_string(id) + "/" + number;
  const std::string values[3] = {"GAUNTLET_TAG=" + run.tag, "GAUNTLET_ATTEMPT=" + number,
                                 "GAUNTLET_OUTPUT=" + run.output_path};
  for (int i = 0; i < 3; ++i) {
    run.env_strings[run.attempt_env[i]] = values[i];
    run.envp[run.attempt_ptr[i]] = run.env_strings[run.attempt_env[i]].data();
  }
  if (!run.masker) {
    const bool workflow = plan_.pipeline && plan_.pipeline->workflow;
    run.masker = std::make_unique<JobMasker>(masker_, workflow);
  }
  observer_->OnJobStarted(job, run.number());
  dirty_ = true;  // the start reaches the store by the next commit point
  if (run.attempt == 1 && !conc_note_[id].empty()) Emit(id, "gauntlet: " + conc_note_[id] + "\n");

  SpawnRequest req;
  req.shell = job.shell.empty() ? std::string_view("bash") : std::string_view(job.shell);
  req.script = run.script;
  req.envp = run.envp.data();
  req.working_directory = run.directory;
  req.timeout = job.timeout;
  req.tag = run.tag;
  Result<ProcId> proc = runner_->Start(req);
  if (!proc.ok()) {
    AttemptResult ar;
    ar.error = masker_.MaskString(proc.error().message);
    Emit(id, "gauntlet: " + ar.error + "\n");
    AttemptDone(id, ar);
    return;
  }
  run.proc = *proc;
  if (static_cast<size_t>(*proc) >= proc_job_.size()) proc_job_.resize(*proc + 1, -1);
  proc_job_[*proc] = id;
}

void Scheduler::OnOutput(ProcId proc, std::string_view bytes) {
  JobId id = proc_job_[proc];
  JobRun& run = *runs_[id];
  if (run.masker->passthrough()) {
    Emit(id, bytes);  // no copy on the common path
    return;
  }
  run.scratch.clear();
  run.masker->Write(bytes, &run.scratch);
  Emit(id, run.scratch);
}

void Scheduler::OnExit(ProcId proc, const AttemptResult& result) {
  JobId id = proc_job_[proc];
  proc_job_[proc] = -1;
  runs_[id]->proc = -1;
  AttemptDone(id, result);
}

void Scheduler::AttemptDone(JobId id, AttemptResult ar) {
  const PlannedJob& job = plan_.jobs[id];
  JobRun& run = *runs_[id];
  run.scratch.clear();
  run.masker->Flush(&run.scratch);
  Emit(id, run.scratch);
  const Masker& masker = run.masker->masker();  // with the job's ::add-mask:: values

  // $GAUNTLET_OUTPUT: small, written by the job only if it has outputs.
  Outputs outputs;
  // Relative to the run directory's descriptor: one path component to look up, not all.
  const int dir = run_dir_fd_ >= 0 ? run_dir_fd_ : AT_FDCWD;
  const char* name = run_dir_fd_ >= 0 ? run.output_path.c_str() + options_.run_dir.size() + 1
                                      : run.output_path.c_str();
  int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    close(fd);
    unlinkat(dir, name, 0);
    Result<Outputs> parsed = ParseOutputs(text);
    if (!parsed.ok()) {
      // The message quotes the bad line, which may hold a secret.
      std::string message = masker.MaskString(parsed.error().message);
      if (ar.ok()) ar.error = message;
      Emit(id, "gauntlet: " + message + "\n");
    } else {
      outputs = std::move(parsed).value();
      for (auto& [k, v] : outputs) {
        k = masker.MaskString(k);  // a name may be a secret too
        v = masker.MaskString(v);
      }
    }
  }
  observer_->OnAttemptFinished(job, run.number(), ar);

  JobResult r;
  r.attempts = run.number();
  if (ar.ok()) {
    r.state = JobState::kSuccess;
    r.outputs = std::move(outputs);
    if (options_.hooks) {
      Status s = options_.hooks->AfterSuccess(job, &r);
      if (!s.ok()) {
        r.state = JobState::kFailed;
        r.reason = masker.MaskString(s.error().message);
        r.continued_on_error = job.continue_on_error;
        Emit(id, "gauntlet: " + r.reason + "\n");
      }
    }
    Finish(id, std::move(r));
    return;
  }
  if (!cancelling_ && !conc_stopped_[id].empty()) {
    r.state = JobState::kCancelled;
    r.reason = conc_stopped_[id];
    Finish(id, std::move(r));
    return;
  }
  if (ar.cancelled && !cancelling_ && job.group >= 0 && group_failed_[job.group] >= 0) {
    Finish(id, GroupCancelled(id));
    return;
  }
  if (ar.cancelled || cancelling_) {
    r.state = JobState::kCancelled;
    r.reason = StopReason();
    Finish(id, std::move(r));
    return;
  }
  const spec::RetryPolicy& retry = job.spec->retry;
  bool retryable = run.attempt < retry.attempts;
  if (retryable && retry.restricted()) {
    retryable = (ar.timed_out && retry.on_timeout) ||
                (!ar.timed_out && ar.error.empty() &&
                 std::find(retry.on_exit_codes.begin(), retry.on_exit_codes.end(), ar.exit_code) !=
                     retry.on_exit_codes.end());
  }
  if (retryable) {
    run.retry_at = runner_->clock()->Now() + retry.backoff;
    backoff_.push_back(id);
    return;
  }
  r.state = JobState::kFailed;
  r.reason = FailureReason(ar, job.timeout);
  r.continued_on_error = job.continue_on_error;
  Finish(id, std::move(r));
}

void Scheduler::StartDeploy(JobId id) {
  ++deploys_running_;
  runs_[id] = std::make_unique<JobRun>();
  runs_[id]->first_start = runner_->clock()->Now();
  runs_[id]->attempt = 1;
  observer_->OnJobStarted(plan_.jobs[id], 1);
  // A deploy handler writes to the store itself (its deployment rows, from another
  // connection): commit now so the open batch does not hold the write lock meanwhile.
  dirty_ = true;
  FlushNow();
  DeployDone done = [this, id](JobResult r) {
    {
      std::lock_guard<std::mutex> lock(deploy_mu_);
      deploys_done_.emplace_back(id, std::move(r));
    }
    runner_->Wake();
  };
  if (options_.deploy) {
    options_.deploy(plan_.jobs[id], std::move(done));
  } else {
    JobResult r;
    r.state = JobState::kFailed;
    r.reason = "deploys are not supported yet";
    done(std::move(r));
  }
}

void Scheduler::HandleDeploysDone() {
  std::vector<std::pair<JobId, JobResult>> done;
  {
    std::lock_guard<std::mutex> lock(deploy_mu_);
    done.swap(deploys_done_);
  }
  for (auto& [id, r] : done) {
    --deploys_running_;
    r.attempts = std::max(1, r.attempts);
    Finish(id, std::move(r));
  }
}

void Scheduler::HandleRetryTimers() {
  TimePoint now = runner_->clock()->Now();
  for (size_t i = 0; i < backoff_.size();) {
    JobRun& run = *runs_[backoff_[i]];
    if (run.retry_at <= now) {
      retry_ready_.push_back(backoff_[i]);
      backoff_.erase(backoff_.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
}

void Scheduler::DoCancel() {
  // A second request (a second Ctrl-C) cancels again: the runner escalates to SIGKILL.
  cancelling_ = true;
  cancel_requested_ = false;
  for (ProcId proc = 0; proc < static_cast<ProcId>(proc_job_.size()); ++proc) {
    if (proc_job_[proc] >= 0) runner_->Cancel(proc);
  }
  std::vector<JobId> waiting;
  waiting.swap(backoff_);
  waiting.insert(waiting.end(), retry_ready_.begin(), retry_ready_.end());
  retry_ready_.clear();
  waiting.insert(waiting.end(), conc_waiting_.begin(), conc_waiting_.end());
  waiting.insert(waiting.end(), conc_ready_.begin(), conc_ready_.end());
  conc_waiting_.clear();
  conc_ready_.clear();
  for (JobId id : waiting) {
    JobResult r;
    r.state = JobState::kCancelled;
    r.attempts = runs_[id] ? runs_[id]->number() : 0;
    r.reason = StopReason();
    Finish(id, std::move(r));
  }
}

void Scheduler::FlushNow() {
  if (!dirty_) return;
  observer_->Flush();
  dirty_ = false;
  ++epoch_;
  last_flush_ = runner_->clock()->Now();
  CheckRecording();
}

void Scheduler::CheckRecording() {
  if (!storage_error_.empty()) return;
  Status s = observer_->RecordingStatus();
  if (s.ok()) return;
  // Nothing more may start: a dependent must never run on a result that is not durable,
  // and the jobs running now could not be recorded either. Stopped as by a cancel, but
  // the run ends failed, with the reason.
  storage_error_ = masker_.MaskString(s.error().message);
  DoCancel();
}

bool Scheduler::RefusedStart(JobId id) {
  if (storage_error_.empty()) return false;
  // The commit before it failed: its needs' results are not durable, it must not start.
  JobResult r;
  r.state = JobState::kCancelled;
  r.attempts = runs_[id] ? runs_[id]->number() : 0;
  r.reason = StopReason();
  Finish(id, std::move(r));
  return true;
}

std::string Scheduler::StopReason() const {
  return storage_error_.empty() ? "run cancelled"
                                : "stopped: the run could not be recorded: " + storage_error_;
}

bool Scheduler::NeedsUncommitted(JobId id) const {
  for (JobId n : plan_.jobs[id].needs)
    if (finished_epoch_[n] == epoch_) return true;
  return false;
}

bool Scheduler::PopStartable(JobId* id) {
  for (size_t g = 0; g < group_waiting_.size(); ++g) {
    std::vector<JobId>& waiting = group_waiting_[g];
    if (waiting.empty() || group_running_[g] >= plan_.groups[g].max_parallel) continue;
    *id = waiting.front();  // in the order they became ready
    waiting.erase(waiting.begin());
    holds_group_place_[*id] = 1;
    ++group_running_[g];
    return true;
  }
  while (tracker_.PopReady(id)) {
    const int g = plan_.jobs[*id].group;
    if (g < 0) return true;
    if (group_failed_[g] >= 0) {
      Finish(*id, GroupCancelled(*id));
      continue;
    }
    const int limit = plan_.groups[g].max_parallel;
    if (limit > 0 && group_running_[g] >= limit) {
      group_waiting_[g].push_back(*id);
      continue;
    }
    holds_group_place_[*id] = 1;
    ++group_running_[g];
    return true;
  }
  return false;
}

void Scheduler::StartReadyJobs() {
  // A need's result reported since the last flush must be committed before the job starts.
  auto spawn_barrier = [this](JobId id) {
    if (dirty_ && NeedsUncommitted(id)) FlushNow();
  };
  while (runner_->running() < parallelism_) {
    if (!conc_ready_.empty()) {  // took its concurrency group: past its if: and hooks
      JobId id = conc_ready_.front();
      conc_ready_.erase(conc_ready_.begin());
      spawn_barrier(id);
      if (!RefusedStart(id)) StartAttempt(id);
      continue;
    }
    if (!retry_ready_.empty()) {
      JobId id = retry_ready_.front();
      retry_ready_.erase(retry_ready_.begin());
      spawn_barrier(id);
      if (!RefusedStart(id)) StartAttempt(id);
      continue;
    }
    JobId id;
    if (!PopStartable(&id)) break;
    if (!Decide(id)) continue;
    if (!AskHooks(id)) continue;
    if (!EnterGroup(id)) continue;
    spawn_barrier(id);
    if (RefusedStart(id)) continue;
    if (plan_.jobs[id].kind == PlannedJob::Kind::kDeploy) {
      StartDeploy(id);
    } else {
      StartAttempt(id);
    }
  }
}

RunResult Scheduler::Run() {
  run_start_ = runner_->clock()->Now();
  std::string own_dir;  // a run dir made here when the caller gave none
  if (options_.run_dir.empty()) {
    const char* tmp = getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/gauntlet-run-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) own_dir = options_.run_dir = pattern;
  }
  Fd run_dir(open(options_.run_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  run_dir_fd_ = run_dir.get();
  finished_epoch_.assign(plan_.jobs.size(), 0);
  last_flush_ = runner_->clock()->Now();
  observer_->OnRunStarted(plan_);
  for (auto& [id, r] : options_.previous) {
    r.resumed = true;
    results_[id] = r;
    tracker_.Finish(id);
    observer_->OnJobFinished(plan_.jobs[id], results_[id]);
  }
  while (true) {
    if (cancel_requested_) DoCancel();
    HandleDeploysDone();
    HandleRetryTimers();
    if (concurrency_ && (concurrency_->TakeChanged() || conc_check_)) HandleGroupChanges();
    StartReadyJobs();
    if (tracker_.all_finished()) break;
    // Results of independent jobs are committed in batches, at most
    // options_.max_commit_delay late, after the free slots were refilled: the commit's
    // work overlaps running jobs instead of delaying the next spawn.
    if (dirty_ && runner_->clock()->Now() - last_flush_ >= options_.max_commit_delay) FlushNow();

    TimePoint deadline = TimePoint::max();
    for (JobId id : backoff_) deadline = std::min(deadline, runs_[id]->retry_at);
    if (dirty_) deadline = std::min(deadline, last_flush_ + options_.max_commit_delay);
    if (conc_check_) deadline = runner_->clock()->Now();  // a group of ours just changed
    if (runner_->running() == 0 && deploys_running_ == 0 && backoff_.empty() &&
        retry_ready_.empty() && conc_waiting_.empty() && conc_ready_.empty()) {
      // Nothing in flight and nothing startable: only a malformed plan gets here.
      for (JobId id = 0; id < static_cast<JobId>(plan_.jobs.size()); ++id) {
        if (!tracker_.finished(id)) {
          JobResult r;
          r.state = JobState::kCancelled;
          r.reason = "unreachable: its needs never finished";
          Finish(id, std::move(r));
        }
      }
      break;
    }
    observer_->Idle();
    CheckRecording();  // a log write may have failed during the turn
    Status s = runner_->Poll(deadline, this);
    if (!s.ok()) {
      // The loop itself is broken (epoll failed): stop everything rather than spin. The
      // runner kills what is still running when it is destroyed.
      DoCancel();
      for (JobId id = 0; id < static_cast<JobId>(plan_.jobs.size()); ++id) {
        if (!tracker_.finished(id)) {
          JobResult r;
          r.state = JobState::kCancelled;
          r.reason = "event loop failed: " + s.error().message;
          Finish(id, std::move(r));
        }
      }
      break;
    }
  }

  RunResult result;
  for (const JobResult& r : results_) {
    switch (r.state) {
      case JobState::kSuccess:
        ++result.succeeded;
        if (r.cached) ++result.cached;
        break;
      case JobState::kFailed:
        ++result.failed;
        break;
      case JobState::kSkipped:
        ++result.skipped;
        break;
      case JobState::kCancelled:
        ++result.cancelled;
        break;
    }
  }
  result.state = !storage_error_.empty() ? RunState::kFailed
                 : cancelling_           ? RunState::kCancelled
                 : run_failed_           ? RunState::kFailed
                 : conc_cancelled_       ? RunState::kCancelled
                                         : RunState::kSuccess;
  result.storage_error = storage_error_;
  result.wall = std::chrono::duration_cast<Micros>(runner_->clock()->Now() - run_start_);
  observer_->OnRunFinished(result);
  dirty_ = true;
  FlushNow();
  run_dir_fd_ = -1;
  if (!own_dir.empty()) rmdir(own_dir.c_str());  // empty: each outputs file is removed
  return result;
}

}  // namespace gauntlet::exec
