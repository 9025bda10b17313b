// Test helpers: a pipeline + plan built by hand, and an observer that records events.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "exec/fake_runner.h"
#include "exec/observer.h"
#include "exec/scheduler.h"
#include "plan/plan.h"
#include "spec/model.h"

namespace gauntlet::exec::testing {

// "j<i>", built piecewise: GCC 12 -O3 has a false -Wrestrict on "j" + std::string.
inline std::string JobName(int i) { return std::string("j").append(std::to_string(i)); }

struct PlanBuilder {
  spec::Pipeline pipeline;
  plan::Plan plan;
  PlanBuilder() {
    pipeline.jobs.reserve(1000);  // PlannedJob::spec points into it
    plan.pipeline = &pipeline;
  }
  plan::JobId Add(const std::string& name, const std::string& command,
                  std::vector<plan::JobId> needs = {},
                  const std::function<void(spec::Job&)>& edit = nullptr) {
    spec::Job j;
    j.name = name;
    j.commands = {command};
    if (edit) edit(j);
    pipeline.jobs.push_back(j);
    plan::PlannedJob p;
    p.id = static_cast<plan::JobId>(plan.jobs.size());
    p.name = name;
    p.base_name = name;
    p.spec = &pipeline.jobs.back();
    p.continue_on_error = j.continue_on_error;  // plan::Build resolves it so
    p.needs = needs;
    p.shell = "sh";
    p.timeout = std::chrono::minutes(10);
    for (plan::JobId n : needs) plan.jobs[n].dependents.push_back(p.id);
    plan.jobs.push_back(p);
    return p.id;
  }
};

struct Recorder : Observer {
  std::vector<std::string> events;
  std::map<std::string, std::string> output;
  std::map<std::string, JobResult> results;
  std::map<std::string, int> attempts_finished;
  std::map<std::string, AttemptResult> last_attempt;
  int flushes = 0;
  std::vector<std::string> flushed;               // jobs whose result was reported before a Flush
  std::vector<std::string> pending;               // reported since the last Flush
  std::vector<std::string> started_before_flush;  // violations of the commit point
  const plan::Plan* plan = nullptr;
  std::function<void(const plan::PlannedJob&, int)> on_start;

  void OnRunStarted(const plan::Plan& p) override { plan = &p; }
  void OnJobStarted(const plan::PlannedJob& j, int a) override {
    events.push_back("start " + j.name + " " + std::to_string(a));
    for (plan::JobId n : j.needs) {
      const std::string& need = plan->jobs[n].name;
      if (std::find(flushed.begin(), flushed.end(), need) == flushed.end()) {
        started_before_flush.push_back(j.name);
      }
    }
    if (on_start) on_start(j, a);
  }
  void OnOutput(const plan::PlannedJob& j, int, std::string_view b) override {
    output[j.name].append(b);
  }
  void OnAttemptFinished(const plan::PlannedJob& j, int, const AttemptResult& r) override {
    attempts_finished[j.name]++;
    last_attempt[j.name] = r;
  }
  void OnJobFinished(const plan::PlannedJob& j, const JobResult& r) override {
    events.push_back(std::string(JobStateName(r.state)) + " " + j.name);
    results[j.name] = r;
    pending.push_back(j.name);
  }
  void Flush() override {
    ++flushes;
    flushed.insert(flushed.end(), pending.begin(), pending.end());
    pending.clear();
  }
  JobState state(const std::string& name) { return results.at(name).state; }
};

// Scripts for the fake runner: "ok", "fail", "exit:N", "hang", "sleep:MS", "print:TEXT";
// any other script succeeds at once.
inline FakeOutcome Scripted(const SpawnRequest& req) {
  std::string s(req.script);
  FakeOutcome o;
  if (s == "fail") o.exit_code = 1;
  if (s.rfind("exit:", 0) == 0) o.exit_code = std::stoi(s.substr(5));
  if (s == "hang") o.hang = true;
  if (s.rfind("sleep:", 0) == 0) o.duration = std::chrono::milliseconds(std::stoi(s.substr(6)));
  if (s.rfind("print:", 0) == 0) o.output = s.substr(6);
  return o;
}

// A scheduler on the fake runner, in simulated time, recording what it reports.
struct FakeRun {
  FakeClock clock;
  FakeRunner runner{&clock, Scripted};
  Recorder rec;
  RunResult result;
  RunResult Run(const plan::Plan& plan, SchedulerOptions o = {}) {
    if (o.parallelism == 0) o.parallelism = 2;
    if (!o.base_env) o.base_env = std::vector<std::string>{"HOME=/home/me", "CI=false"};
    Scheduler s(plan, &runner, &rec, std::move(o));
    result = s.Run();
    return result;
  }
  TimePoint StartOf(const std::string& script, int nth = 0) {
    for (const auto& s : runner.started()) {
      if (s.script == script && nth-- == 0) return s.at;
    }
    ADD_FAILURE() << "not started: " << script;
    return {};
  }
  // The i-th process started.
  const FakeRunner::Started& Of(size_t i) const { return runner.started().at(i); }
};

}  // namespace gauntlet::exec::testing
