// An environment's health check, analysis (probe, limits, metrics) and canary steps.
#include <limits>

#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

constexpr int kAnyCount = std::numeric_limits<int>::max();
constexpr double kAnyRatio = 1e12;
const char* const kStepsHint =
    "steps: [5, 25, 100], or entries such as - setWeight: 20, "
    "- pause: 30s, - pause: {}, - analysis: {duration: 1m}";

void ReadMetric(LoadState& s, const YamlNode* n, Analysis* a) {
  MetricQuery m;
  const YamlNode* provider = n;
  if (!s.reader.ForEach(
          n, "a metric", {"name", "provider", "query", "json_path", "condition"},
          [&](const std::string& key, const YamlNode*, const YamlNode* v) {
            if (key == "name") s.reader.String(v, &m.name);
            if (key == "provider") {
              provider = v;
              s.reader.Enum(v, &m.provider, "metric provider", {"probe", "prometheus", "web"});
            }
            if (key == "query") s.reader.String(v, &m.query);
            if (key == "json_path") s.reader.String(v, &m.json_path);
            if (key == "condition" && s.reader.String(v, &m.condition)) s.exprs.CheckSyntaxOnly(v);
          }))
    return;
  if (m.name.empty()) s.reader.Error(n, "metric has no name", "add name: <metric name>");
  if ((m.provider == "prometheus" || m.provider == "web") && m.query.empty())
    s.reader.Error(provider, "a " + m.provider + " metric needs a query",
                   m.provider == "web" ? "query: <URL returning JSON>" : "query: <PromQL>");
  if (m.provider == "web" && m.json_path.empty())
    s.reader.Error(provider, "a web metric needs a json_path", "json_path: data.error_rate");
  a->metrics.push_back(std::move(m));
}

void ReadProbe(LoadState& s, const YamlNode* n, ProbeSettings* p) {
  const YamlNode* rate = nullptr;
  const YamlNode* requests = nullptr;
  s.reader.ForEach(
      n, "analysis.probe", {"path", "rate", "requests"},
      [&](const std::string& key, const YamlNode*, const YamlNode* v) {
        if (key == "path" && s.reader.String(v, &p->path) && (p->path.empty() || p->path[0] != '/'))
          s.reader.Error(v, "the probe's path must start with /", "path: /health");
        if (key == "rate" && s.reader.Number(v, &p->rate, 0.1, 10000)) rate = v;
        if (key == "requests" && s.reader.Int(v, &p->requests, 1, 1000000)) requests = v;
      });
  if (rate && requests)
    s.reader.Error(requests, "set the probe's rate or its requests per window, not both",
                   "rate: 50 (per second), or requests: 200 (per window)");
}

// A probe that cannot gather 100 requests in a window makes every p99 inconclusive
// (analysis.h, kMinP99Samples): say so when the file is read, not at deploy time.
void CheckProbeVolume(LoadState& s, const YamlNode* n, const Analysis& a) {
  double per_window = a.probe.requests > 0
                          ? a.probe.requests
                          : a.probe.rate * std::chrono::duration<double>(a.interval).count();
  if (per_window + 1e-9 < kMinP99Samples)
    s.reader.Warning(n,
                     "the probe sends " + std::to_string(static_cast<int>(per_window)) +
                         " requests per target and interval: a p99 needs " +
                         std::to_string(kMinP99Samples) + ", so every p99 verdict is inconclusive",
                     "raise analysis.probe.rate or analysis.interval (rate x interval >= 100), "
                     "or set analysis.probe.requests: 100");
}

}  // namespace

void ReadHealth(LoadState& s, const YamlNode* n, HealthCheck* h) {
  const YamlNode* type_node = n;
  s.reader.ForEach(n, "health",
                   {"type", "url", "expect_status", "address", "command", "initial_delay", "period",
                    "timeout", "failure_threshold", "success_threshold"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "type") {
                       type_node = v;
                       s.reader.Enum(v, &h->type, "health check type", {"http", "tcp", "command"});
                     }
                     if (key == "url") s.reader.String(v, &h->url);
                     if (key == "expect_status") s.reader.Int(v, &h->expect_status, 100, 599);
                     if (key == "address" && s.reader.String(v, &h->address))
                       CheckAddress(s, v, h->address);
                     if (key == "command") s.reader.String(v, &h->command);
                     if (key == "initial_delay") s.reader.DurationValue(v, &h->initial_delay);
                     if (key == "period") s.reader.DurationValue(v, &h->period);
                     if (key == "timeout") s.reader.DurationValue(v, &h->timeout);
                     if (key == "failure_threshold")
                       s.reader.Int(v, &h->failure_threshold, 1, 1000);
                     if (key == "success_threshold")
                       s.reader.Int(v, &h->success_threshold, 1, 1000);
                   });
  if (h->type == "http" && h->url.empty())
    s.reader.Error(type_node, "an http health check needs a url",
                   "url: http://127.0.0.1:8080/health");
  if (h->type == "tcp" && h->address.empty())
    s.reader.Error(type_node, "a tcp health check needs an address", "address: 127.0.0.1:8080");
  if (h->type == "command" && h->command.empty())
    s.reader.Error(type_node, "a command health check needs a command", "command: ./check.sh");
}

void ReadAnalysis(LoadState& s, const YamlNode* n, Analysis* a, Duration* step_duration) {
  std::vector<std::string> keys = {
      "interval",        "failure_limit",    "inconclusive_limit", "consecutive_error_limit",
      "max_error_ratio", "error_rate_floor", "max_p99_ratio",      "prometheus_url",
      "probe",           "metrics"};
  keys.push_back(step_duration ? "duration" : "pre_traffic");
  s.reader.ForEach(n, step_duration ? "a step's analysis" : "analysis", keys,
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "interval") s.reader.DurationValue(v, &a->interval);
                     if (key == "pre_traffic") s.reader.DurationValue(v, &a->pre_traffic);
                     if (key == "duration") s.reader.DurationValue(v, step_duration);
                     if (key == "failure_limit") s.reader.Int(v, &a->failure_limit, 0, kAnyCount);
                     if (key == "inconclusive_limit")
                       s.reader.Int(v, &a->inconclusive_limit, 0, kAnyCount);
                     if (key == "consecutive_error_limit")
                       s.reader.Int(v, &a->consecutive_error_limit, 0, kAnyCount);
                     if (key == "max_error_ratio")
                       s.reader.Number(v, &a->max_error_ratio, 0, kAnyRatio);
                     if (key == "error_rate_floor") s.reader.Number(v, &a->error_rate_floor, 0, 1);
                     if (key == "max_p99_ratio")
                       s.reader.Number(v, &a->max_p99_ratio, 0, kAnyRatio);
                     if (key == "prometheus_url") s.reader.String(v, &a->prometheus_url);
                     if (key == "probe") ReadProbe(s, v, &a->probe);
                     if (key == "metrics") {
                       a->metrics.clear();  // a step's own list replaces the environment's
                       if (!v->is_sequence()) {
                         s.reader.TypeError(v, "a list of metrics");
                         return;
                       }
                       for (const YamlNode* item : v->items) ReadMetric(s, item, a);
                     }
                   });
  for (const MetricQuery& m : a->metrics) {
    if (m.provider == "prometheus" && a->prometheus_url.empty()) {
      s.reader.Error(n, "prometheus metrics need analysis.prometheus_url",
                     "prometheus_url: http://127.0.0.1:9090");
      break;
    }
  }
  if (n->is_map()) CheckProbeVolume(s, n, *a);
}

namespace {

// `pause: 30s`, `pause: {duration: 30s}` or `pause: {}` (until `gauntlet promote`).
void ReadPause(LoadState& s, const YamlNode* v, CanaryStep* step) {
  if (v->is_scalar() && !v->is_null()) {
    s.reader.DurationValue(v, &step->pause);
    return;
  }
  step->pause_until_promoted = true;
  if (v->is_null()) return;
  s.reader.ForEach(v, "a pause", {"duration"},
                   [&](const std::string&, const YamlNode*, const YamlNode* d) {
                     step->pause_until_promoted = false;
                     s.reader.DurationValue(d, &step->pause);
                   });
}

// One entry of `steps:`: a number, or a map with one of setWeight/weight, pause, analysis.
bool ReadStep(LoadState& s, const YamlNode* item, const Environment& env, CanaryStep* step) {
  if (item->is_scalar()) {
    if (!s.reader.Int(item, &step->weight, 1, 100)) return false;
    step->environment_pause = step->weight < 100;
    return true;
  }
  if (!item->is_map() || item->pairs() != 1) {
    s.reader.TypeError(item, "a weight or a map with one key", kStepsHint);
    return false;
  }
  bool ok = true;
  s.reader.ForEach(item, "a canary step", {"setWeight", "weight", "pause", "analysis"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "setWeight" || key == "weight")
                       ok = s.reader.Int(v, &step->weight, 1, 100);
                     if (key == "pause") ReadPause(s, v, step);
                     if (key == "analysis") {
                       step->analysis = env.analysis;  // overridden by what the step sets
                       step->analysis_duration = env.pause;
                       ReadAnalysis(s, v, &*step->analysis, &step->analysis_duration);
                     }
                   });
  return ok;
}

}  // namespace

void ReadSteps(LoadState& s, const YamlNode* n, Environment* env) {
  if (!n->is_sequence() || n->items.empty()) {
    s.reader.TypeError(n, "a list of steps", kStepsHint);
    return;
  }
  std::vector<CanaryStep> steps;
  int last = 0;
  for (const YamlNode* item : n->items) {
    CanaryStep step;
    if (!ReadStep(s, item, *env, &step)) return;
    if (last == 100) {
      s.reader.Error(item, "a step after weight 100 (the promotion)",
                     "end the steps at 100; to watch the release after it, use bake: 5m");
      return;
    }
    if (step.weight >= 0 && step.weight <= last) {
      s.reader.Error(item, "canary weights must go up", "steps: [5, 25, 100]");
      return;
    }
    if (step.weight >= 0) last = step.weight;
    steps.push_back(std::move(step));
  }
  env->steps = std::move(steps);
}

}  // namespace gauntlet::spec
