#include "plan/describe.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include "core/duration.h"
#include "spec/job_diagnostics.h"

namespace gauntlet::plan {
namespace {

using nlohmann::json;

json KeyValuesJson(const spec::KeyValues& kv) {
  json out = json::object();
  for (const auto& [k, v] : kv) out[k] = v;
  return out;
}

json ChangesJson(const spec::ChangeFilter& c) { return {{"ignore", c.ignore}, {"paths", c.paths}}; }

std::string Join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  return fmt::format("{}", fmt::join(items, sep));
}

std::string JoinKeyValues(const spec::KeyValues& kv) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : kv) parts.push_back(k + "=" + v);
  return Join(parts, " ");
}

std::string ChangesText(const spec::ChangeFilter& c) {
  std::string out;
  if (!c.ignore.empty()) out += "ignore " + Join(c.ignore);
  if (!c.paths.empty()) out += std::string(out.empty() ? "" : "; ") + "paths " + Join(c.paths);
  return out;
}

std::string RetryText(const spec::RetryPolicy& r) {
  if (r.attempts <= 1) return "none";
  std::string out = fmt::format("{} attempts", r.attempts);
  if (r.backoff.count()) out += ", backoff " + FormatDuration(r.backoff);
  if (!r.on_exit_codes.empty()) out += fmt::format(", on exit {}", fmt::join(r.on_exit_codes, ","));
  if (r.on_timeout) out += ", on timeout";
  return out;
}

std::string MatrixText(const spec::MatrixCombo& combo) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : combo) parts.push_back(k + "=" + v.text);
  return Join(parts, " ");
}

json HealthJson(const spec::HealthCheck& h) {
  return {{"type", h.type},
          {"url", h.url},
          {"expect_status", h.expect_status},
          {"address", h.address},
          {"command", h.command},
          {"initial_delay", FormatDuration(h.initial_delay)},
          {"period", FormatDuration(h.period)},
          {"timeout", FormatDuration(h.timeout)},
          {"failure_threshold", h.failure_threshold},
          {"success_threshold", h.success_threshold}};
}

json AnalysisJson(const spec::Analysis& a) {
  json metrics = json::array();
  for (const spec::MetricQuery& m : a.metrics)
    metrics.push_back({{"name", m.name},
                       {"provider", m.provider},
                       {"query", m.query},
                       {"json_path", m.json_path},
                       {"condition", m.condition}});
  return {
      {"interval", FormatDuration(a.interval)},
      {"pre_traffic", FormatDuration(a.pre_traffic)},
      {"probe", {{"path", a.probe.path}, {"rate", a.probe.rate}, {"requests", a.probe.requests}}},
      {"failure_limit", a.failure_limit},
      {"inconclusive_limit", a.inconclusive_limit},
      {"consecutive_error_limit", a.consecutive_error_limit},
      {"max_error_ratio", a.max_error_ratio},
      {"error_rate_floor", a.error_rate_floor},
      {"max_p99_ratio", a.max_p99_ratio},
      {"prometheus_url", a.prometheus_url},
      {"metrics", metrics}};
}

json StepsJson(const spec::Environment& e) {
  json out = json::array();
  for (const spec::CanaryStep& step : e.steps) {
    json j = json::object();
    if (step.weight >= 0) j["weight"] = step.weight;
    Duration pause = step.environment_pause ? e.pause : step.pause;
    if (pause > Duration(0)) j["pause"] = FormatDuration(pause);
    if (step.pause_until_promoted) j["pause"] = "until promoted";
    if (step.analysis) {
      j["analysis"] = AnalysisJson(*step.analysis);
      j["analysis"]["duration"] = FormatDuration(step.analysis_duration);
    }
    out.push_back(std::move(j));
  }
  return out;
}

json EnvironmentJson(const spec::Environment& e) {
  json instances = json::array();
  for (const spec::Instance& i : e.instances)
    instances.push_back({{"name", i.name}, {"address", i.address}});
  return {{"name", e.name},
          {"strategy", e.strategy},
          {"url", e.url},
          {"instances", instances},
          {"deploy", e.deploy},
          {"stop", e.stop},
          {"pre_deploy", e.pre_deploy},
          {"post_deploy", e.post_deploy},
          {"router", e.router},
          {"nginx_upstream_file", e.nginx_upstream_file},
          {"nginx_upstream_name", e.nginx_upstream_name},
          {"router_command", e.router_command},
          {"max_unavailable", e.max_unavailable},
          {"steps", StepsJson(e)},
          {"pause", FormatDuration(e.pause)},
          {"scale_down_delay", FormatDuration(e.scale_down_delay)},
          {"bake", FormatDuration(e.bake)},
          {"drain", FormatDuration(e.drain)},
          {"drain_timeout", FormatDuration(e.drain_timeout)},
          {"health", HealthJson(e.health)},
          {"analysis", AnalysisJson(e.analysis)}};
}

json TrustJson(const spec::TrustThreshold& t) {
  return {
      {"changes", t.changes}, {"max_incident_rate", t.max_incident_rate}, {"min_days", t.min_days}};
}

json GatesJson(const spec::Gates& g) {
  json required = json::array();
  for (const spec::Located& r : g.required) required.push_back(r.value);
  json out = {{"risk",
               {{"low", g.risk_low},
                {"medium", g.risk_medium},
                {"high", g.risk_high},
                {"critical", g.risk_critical}}},
              {"min_line_coverage", nullptr},
              {"new_code_line_coverage", nullptr},
              {"trust",
               {{"l1", TrustJson(g.trust_l1)},
                {"l2", TrustJson(g.trust_l2)},
                {"l3", TrustJson(g.trust_l3)}}},
              {"max_fix_attempts", g.max_fix_attempts},
              {"required", required}};
  if (g.min_line_coverage) out["min_line_coverage"] = *g.min_line_coverage;
  if (g.new_code_line_coverage) out["new_code_line_coverage"] = *g.new_code_line_coverage;
  return out;
}

json TriggersJson(const spec::Triggers& t) {
  return {{"branches", t.branches},
          {"paths", t.paths},
          {"events", t.events},
          {"schedules", t.schedules},
          {"webhook", t.webhook}};
}

// The strategy a deploy stage uses: its own, else its environment's.
std::string DeployStrategy(const Plan& plan, const spec::Stage& stage) {
  if (!stage.strategy.empty()) return stage.strategy;
  const spec::Environment* env =
      plan.pipeline ? plan.pipeline->FindEnvironment(stage.environment) : nullptr;
  return env ? env->strategy : "";
}

// Indents every line after the first of a multi-line value.
std::string Indented(const std::string& text, const std::string& indent) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += indent;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace

json JobJson(const Plan& plan, const PlannedJob& j) {
  json needs = json::array();
  for (JobId n : j.needs) needs.push_back(plan.jobs[n].name);
  json matrix = json::object();
  for (const auto& [k, v] : j.matrix) matrix[k] = v.text;
  json out = {{"id", j.id},
              {"name", j.name},
              {"kind", j.kind == PlannedJob::Kind::kDeploy ? "deploy" : "job"},
              {"base_name", j.base_name},
              {"stage", j.stage ? json(j.stage->name) : json(nullptr)},
              {"needs", needs},
              {"matrix", matrix},
              {"timeout", FormatDuration(j.timeout)},
              {"shell", j.shell},
              {"working_directory", j.working_directory}};
  {
    // A deploy step has no job entry of its own: it still lists every job key (no
    // commands, no `if`, never cached), so a reader never meets a missing key.
    static const spec::Job kNoJob = [] {
      spec::Job none;
      none.cache = false;
      return none;
    }();
    const spec::Job& s = j.spec ? *j.spec : kNoJob;
    out["commands"] = s.commands;
    if (!s.steps.empty()) out["steps"] = s.steps;
    out["if"] = s.if_expr;
    out["env"] = KeyValuesJson(s.env);
    out["retry"] = {{"attempts", s.retry.attempts},
                    {"backoff", FormatDuration(s.retry.backoff)},
                    {"on_exit_codes", s.retry.on_exit_codes},
                    {"on_timeout", s.retry.on_timeout}};
    out["continue_on_error"] = j.spec ? j.continue_on_error : false;
    out["language"] = spec::LanguageName(s.language);
    out["inputs"] = s.inputs;
    out["outputs"] = s.outputs;
    out["artifacts"] = s.artifacts;
    out["reports"] = {{"junit", s.reports.junit}, {"coverage", s.reports.coverage}};
    out["diagnostics"] = spec::DiagnosticsFor(s);
    out["secrets"] = s.secrets;
    out["changes"] = ChangesJson(s.changes);
    out["cache"] = s.cache;
    out["cache_key_extra"] = s.cache_key_extra;
  }
  // A workflow job's `environment` (name and url as written); null: none.
  out["environment"] = nullptr;
  if (j.spec && !j.spec->environment.empty())
    out["environment"] = {{"name", j.spec->environment}, {"url", j.spec->environment_url}};
  // Its concurrency group (the template as written, rendered when the job starts); null: none.
  out["concurrency"] = nullptr;
  if (j.spec && !j.spec->concurrency.group.empty())
    out["concurrency"] = {{"group", j.spec->concurrency.group},
                          {"cancel_in_progress", j.spec->concurrency.cancel_in_progress}};
  // The matrix group it runs in (plan::JobGroup); null: none.
  out["group"] = nullptr;
  if (j.group >= 0) {
    const JobGroup& g = plan.groups[j.group];
    out["group"] = {{"name", g.name},
                    {"max_parallel", g.max_parallel},
                    {"fail_fast", g.fail_fast},
                    {"jobs", g.jobs.size()}};
  }
  if (j.kind == PlannedJob::Kind::kDeploy && j.stage) {
    out["deploy"] = {{"environment", j.stage->environment},
                     {"strategy", DeployStrategy(plan, *j.stage)},
                     {"rollback_on_failure", j.stage->rollback_on_failure}};
  }
  return out;
}

json DescribeJson(const Plan& plan) {
  json jobs = json::array();
  for (const PlannedJob& j : plan.jobs) jobs.push_back(JobJson(plan, j));
  json critical = json::array();
  for (JobId id : plan.critical_path) critical.push_back(plan.jobs[id].name);
  json out = json::object();  // not an initializer list: that would copy `jobs`
  out["jobs"] = std::move(jobs);
  out["critical_path"] = std::move(critical);
  if (const spec::Pipeline* p = plan.pipeline) {
    json envs = json::array();
    for (const spec::Environment& e : p->environments) envs.push_back(EnvironmentJson(e));
    out["file"] = p->file;
    out["name"] = p->name;
    // The title template as written (a workflow: always, "" without).
    if (p->workflow || !p->run_name.empty()) out["run_name"] = p->run_name;
    out["env"] = KeyValuesJson(p->env);
    out["defaults"] = {{"shell", p->defaults.shell},
                       {"timeout", FormatDuration(p->defaults.timeout)},
                       {"working_directory", p->defaults.working_directory}};
    out["changes"] = ChangesJson(p->changes);
    out["on"] = TriggersJson(p->triggers);
    out["gates"] = GatesJson(p->gates);
    out["environments"] = envs;
    json stages = json::array();
    for (const spec::Stage& st : p->stages) {
      json deps = nullptr;  // null: after the previous stage
      if (st.depends_on) {
        deps = json::array();
        for (const spec::Located& d : *st.depends_on) deps.push_back(d.value);
      }
      stages.push_back({{"name", st.name},
                        {"depends_on", deps},
                        {"jobs", st.jobs},
                        {"environment", st.environment},
                        {"strategy", st.strategy},
                        {"rollback_on_failure", st.rollback_on_failure}});
    }
    out["stages"] = std::move(stages);
  }
  return out;
}

std::string DescribeText(const Plan& plan) {
  std::string out;
  auto line = [&out](std::string_view key, const std::string& value) {
    if (!value.empty()) out += fmt::format("    {}: {}\n", key, value);
  };
  if (const spec::Pipeline* p = plan.pipeline) {
    out += fmt::format("pipeline {}{}: {} jobs\n", p->name.empty() ? "(unnamed)" : p->name,
                       p->file.empty() ? "" : " (" + p->file + ")", plan.jobs.size());
    line("run-name", p->run_name);
    line("env", JoinKeyValues(p->env));
    line("defaults", fmt::format("shell={} timeout={}{}", p->defaults.shell,
                                 FormatDuration(p->defaults.timeout),
                                 p->defaults.working_directory.empty()
                                     ? ""
                                     : " working_directory=" + p->defaults.working_directory));
    line("changes", ChangesText(p->changes));
    const spec::Triggers& t = p->triggers;
    std::vector<std::string> on;
    if (!t.branches.empty()) on.push_back("branches " + Join(t.branches));
    if (!t.paths.empty()) on.push_back("paths " + Join(t.paths));
    if (!t.events.empty()) on.push_back("events " + Join(t.events));
    for (const std::string& s : t.schedules) on.push_back("schedule \"" + s + "\"");
    if (t.webhook) on.push_back("webhook");
    line("on", Join(on, "; "));
    const spec::Gates& g = p->gates;
    std::vector<std::string> gates;
    for (auto [name, list] :
         {std::pair{"low", &g.risk_low}, std::pair{"medium", &g.risk_medium},
          std::pair{"high", &g.risk_high}, std::pair{"critical", &g.risk_critical}})
      if (!list->empty()) gates.push_back(fmt::format("risk {} [{}]", name, Join(*list)));
    if (g.min_line_coverage)
      gates.push_back(fmt::format("min_line_coverage {}%", *g.min_line_coverage));
    if (g.new_code_line_coverage)
      gates.push_back(fmt::format("new_code_line_coverage {}%", *g.new_code_line_coverage));
    if (!g.required.empty()) {
      std::vector<std::string> req;
      for (const spec::Located& r : g.required) req.push_back(r.value);
      gates.push_back("required [" + Join(req) + "]");
    }
    if (g.loc.line != 0 || !gates.empty()) {  // the file has `gates:`: show the resolved rest
      gates.push_back(fmt::format("max_fix_attempts {}", g.max_fix_attempts));
      gates.push_back(
          fmt::format("trust l1 {}/{}/{}d l2 {}/{}/{}d l3 {}/{}/{}d (changes/max "
                      "incident rate/min days)",
                      g.trust_l1.changes, g.trust_l1.max_incident_rate, g.trust_l1.min_days,
                      g.trust_l2.changes, g.trust_l2.max_incident_rate, g.trust_l2.min_days,
                      g.trust_l3.changes, g.trust_l3.max_incident_rate, g.trust_l3.min_days));
    }
    line("gates", Join(gates, "; "));
    std::vector<std::string> stages;
    for (const spec::Stage& st : p->stages) {
      std::string item = st.name;
      if (st.depends_on) {
        std::vector<std::string> deps;
        for (const spec::Located& d : *st.depends_on) deps.push_back(d.value);
        item += " (depends_on [" + Join(deps) + "])";
      }
      stages.push_back(std::move(item));
    }
    line("stages", Join(stages));
    for (const spec::Environment& e : p->environments) {
      std::vector<std::string> inst;
      for (const spec::Instance& i : e.instances) inst.push_back(i.name + "=" + i.address);
      line("environment " + e.name,
           fmt::format("strategy {}{}{}{}", e.strategy, e.url.empty() ? "" : " url " + e.url,
                       inst.empty() ? "" : " instances [" + Join(inst) + "]",
                       e.router.empty() ? "" : " router " + e.router));
    }
    out += "\n";
  }
  for (const PlannedJob& j : plan.jobs) {
    out += fmt::format("{}. {}{}\n", j.id + 1, j.name,
                       j.kind == PlannedJob::Kind::kDeploy ? "  [deploy]" : "");
    std::vector<std::string> needs;
    for (JobId n : j.needs) needs.push_back(plan.jobs[n].name);
    line("stage", j.stage ? j.stage->name : "");
    out += fmt::format("    needs: {}\n", needs.empty() ? "-" : Join(needs));
    line("matrix", MatrixText(j.matrix));
    if (j.kind == PlannedJob::Kind::kDeploy && j.stage) {
      const spec::Stage& st = *j.stage;
      out += fmt::format("    environment: {}  strategy: {}  rollback_on_failure: {}\n",
                         st.environment, DeployStrategy(plan, st), st.rollback_on_failure);
      const spec::Environment* e =
          plan.pipeline ? plan.pipeline->FindEnvironment(st.environment) : nullptr;
      if (e) {
        if (e->strategy == "canary") line("steps", spec::DescribeSteps(*e));
        line("deploy", Indented(e->deploy, "      "));
        if (!e->health.type.empty())
          line("health",
               e->health.type + " " + e->health.url + e->health.address + e->health.command);
      }
    }
    out += fmt::format(
        "    timeout: {}  shell: {}{}\n", FormatDuration(j.timeout), j.shell,
        j.working_directory.empty() ? "" : "  working_directory: " + j.working_directory);
    if (!j.spec) continue;
    const spec::Job& s = *j.spec;
    if (s.steps.empty()) {
      for (const std::string& c : s.commands) out += "    $ " + Indented(c, "      ") + "\n";
    }
    for (const std::string& step : s.steps) out += "    step: " + Indented(step, "      ") + "\n";
    line("if", s.if_expr);
    line("env", JoinKeyValues(s.env));
    if (s.retry.attempts > 1) line("retry", RetryText(s.retry));
    if (j.continue_on_error) line("continue_on_error", "true");
    if (!s.environment.empty())
      line("environment", s.environment +
                              (s.environment_url.empty() ? "" : " (" + s.environment_url + ")"));
    if (!s.concurrency.group.empty())
      line("concurrency", s.concurrency.group +
                              (s.concurrency.cancel_in_progress ? " (cancel-in-progress)" : ""));
    if (j.group >= 0) {
      const JobGroup& g = plan.groups[j.group];
      std::string text = g.fail_fast ? "fail-fast" : "";
      if (g.max_parallel > 0)
        text += fmt::format("{}at most {} at a time", text.empty() ? "" : ", ", g.max_parallel);
      line("strategy", text);
    }
    line("language", spec::LanguageName(s.language));
    std::string diag = Join(spec::DiagnosticsFor(s));
    const std::string source = spec::DiagnosticsSource(s);
    if (source == "commands") diag += " (from the commands)";
    if (source == "language") diag += " (language default)";
    line("diagnostics", diag);
    line("inputs", Join(s.inputs));
    line("outputs", Join(s.outputs));
    line("artifacts", Join(s.artifacts));
    std::string reports;
    if (!s.reports.junit.empty()) reports += "junit=" + s.reports.junit;
    if (!s.reports.coverage.empty())
      reports += std::string(reports.empty() ? "" : " ") + "coverage=" + s.reports.coverage;
    line("reports", reports);
    line("secrets", Join(s.secrets));
    line("changes", ChangesText(s.changes));
    if (!s.cache) line("cache", "off");
    line("cache_key_extra", Join(s.cache_key_extra));
  }
  if (!plan.critical_path.empty()) {
    std::vector<std::string> path;
    for (JobId id : plan.critical_path) path.push_back(plan.jobs[id].name);
    out += fmt::format("\ncritical path ({} jobs): {}\n", path.size(), Join(path, " -> "));
  }
  return out;
}

}  // namespace gauntlet::plan
