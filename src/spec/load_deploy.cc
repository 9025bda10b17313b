// `gates:` (risk globs, coverage thresholds, trust levels) and `environments:`
// (deploy targets: strategy, instances, router, health checks, metric analysis).
#include <limits>

#include "spec/deploy_template.h"
#include "spec/load_internal.h"

namespace gauntlet::spec {

const std::vector<std::string> kStrategies = {"recreate", "rolling", "blue_green", "canary"};

namespace {

constexpr int kIntMax = std::numeric_limits<int>::max();
constexpr double kHuge = 1e12;

void ReadTrust(LoadState& s, const YamlNode* n, const std::string& level, TrustThreshold* t) {
  s.reader.ForEach(n, "gates.trust." + level, {"changes", "max_incident_rate", "min_days"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "changes") s.reader.Int(v, &t->changes, 0, kIntMax);
                     if (key == "max_incident_rate")
                       s.reader.Number(v, &t->max_incident_rate, 0, 1);
                     if (key == "min_days") s.reader.Int(v, &t->min_days, 0, 36500);
                   });
}

// A `host:port` address.
void CheckAddress(LoadState& s, const YamlNode* n, const std::string& address) {
  size_t colon = address.rfind(':');
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < address.size();
  int port = 0;
  for (size_t i = colon + 1; ok && i < address.size(); ++i) {
    ok = std::isdigit(static_cast<unsigned char>(address[i]));
    port = std::min(port * 10 + (address[i] - '0'), 70000);
  }
  if (!ok || port < 1 || port > 65535)
    s.reader.Error(n, "bad address '" + address + "'", "expected host:port, e.g. 127.0.0.1:8080");
}

void ReadInstances(LoadState& s, const YamlNode* n, Environment* env) {
  if (n->is_null()) return;
  if (!n->is_sequence()) {
    s.reader.TypeError(n, "a list of instances", "instances: [{name: a, address: 127.0.0.1:8081}]");
    return;
  }
  for (const YamlNode* item : n->items) {
    Instance inst;
    bool has_address = false;
    if (!s.reader.ForEach(item, "an instance", {"name", "address"},
                          [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                            if (key == "name") s.reader.String(v, &inst.name);
                            if (key == "address" && s.reader.String(v, &inst.address)) {
                              has_address = true;
                              CheckAddress(s, v, inst.address);
                            }
                          }))
      continue;
    if (!has_address) s.reader.Error(item, "instance has no address", "add address: host:port");
    if (inst.name.empty()) inst.name = inst.address;
    env->instances.push_back(std::move(inst));
  }
}

void ReadRouter(LoadState& s, const YamlNode* n, Environment* env) {
  const std::vector<std::string> types = {"nginx", "command", "none"};
  if (n->is_scalar()) {
    s.reader.Enum(n, &env->router, "router type", types);
  } else {
    s.reader.ForEach(n, "router", {"type", "upstream_file", "upstream_name", "command", "nginx"},
                     [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                       if (key == "type") s.reader.Enum(v, &env->router, "router type", types);
                       if (key == "upstream_file") s.reader.String(v, &env->nginx_upstream_file);
                       if (key == "upstream_name") s.reader.String(v, &env->nginx_upstream_name);
                       if (key == "command") s.reader.String(v, &env->router_command);
                       if (key == "nginx") s.reader.StringList(v, &env->nginx_command, false);
                     });
  }
  if (env->router == "nginx" &&
      (env->nginx_upstream_file.empty() || env->nginx_upstream_name.empty()))
    s.reader.Error(n, "the nginx router needs upstream_file and upstream_name",
                   "router: {type: nginx, upstream_file: /etc/nginx/conf.d/app.conf, "
                   "upstream_name: app}");
  if (env->router == "command" && env->router_command.empty())
    s.reader.Error(n, "the command router needs a command",
                   "router: {type: command, command: ./set-weights.sh}");
}

void ReadSteps(LoadState& s, const YamlNode* n, Environment* env) {
  if (!n->is_sequence() || n->items.empty()) {
    s.reader.TypeError(n, "a list of percentages", "steps: [5, 25, 100]");
    return;
  }
  std::vector<int> steps;
  int last = 0;
  for (const YamlNode* item : n->items) {
    int v = 0;
    if (!s.reader.Int(item, &v, 1, 100)) return;
    if (v <= last) {
      s.reader.Error(item, "canary steps must go up", "steps: [5, 25, 100]");
      return;
    }
    last = v;
    steps.push_back(v);
  }
  if (last != 100) {
    s.reader.Error(n->items.back(), "the last canary step must be 100", "steps: [5, 25, 100]");
    return;
  }
  env->steps = steps;
}

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

void ReadAnalysis(LoadState& s, const YamlNode* n, Analysis* a) {
  s.reader.ForEach(
      n, "analysis",
      {"interval", "failure_limit", "inconclusive_limit", "consecutive_error_limit",
       "max_error_ratio", "error_rate_floor", "max_p99_ratio", "prometheus_url", "metrics"},
      [&](const std::string& key, const YamlNode*, const YamlNode* v) {
        if (key == "interval") s.reader.DurationValue(v, &a->interval);
        if (key == "failure_limit") s.reader.Int(v, &a->failure_limit, 0, kIntMax);
        if (key == "inconclusive_limit") s.reader.Int(v, &a->inconclusive_limit, 0, kIntMax);
        if (key == "consecutive_error_limit")
          s.reader.Int(v, &a->consecutive_error_limit, 0, kIntMax);
        if (key == "max_error_ratio") s.reader.Number(v, &a->max_error_ratio, 0, kHuge);
        if (key == "error_rate_floor") s.reader.Number(v, &a->error_rate_floor, 0, 1);
        if (key == "max_p99_ratio") s.reader.Number(v, &a->max_p99_ratio, 0, kHuge);
        if (key == "prometheus_url") s.reader.String(v, &a->prometheus_url);
        if (key == "metrics") {
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
}

void ReadEnvironment(LoadState& s, const std::string& name, const YamlNode* k, const YamlNode* n) {
  Environment& env = s.pipeline.environments.emplace_back();
  env.name = name;
  env.loc = s.reader.Loc(k);
  if (n->is_null()) return;
  const YamlNode* strategy = n;
  s.reader.ForEach(
      n, "environment '" + name + "'",
      {"strategy", "url", "instances", "deploy", "stop", "pre_deploy", "post_deploy", "router",
       "max_unavailable", "steps", "pause", "scale_down_delay", "health", "analysis",
       "secrets", "rollback_on_failure"},
      [&](const std::string& key, const YamlNode*, const YamlNode* v) {
        // Deploy commands have their own references (release, slot, instance), passed
        // as environment variables: see spec/deploy_template.h.
        auto command = [&](std::string* out) {
          if (!s.reader.String(v, out)) return;
          auto rendered = RenderDeployCommand(*out);
          if (!rendered.ok())
            s.reader.Error(v, rendered.error().message,
                           "e.g. ./deploy.sh ${{ slot }} ${{ release.version }}");
        };
        if (key == "strategy") {
          strategy = v;
          s.reader.Enum(v, &env.strategy, "strategy", kStrategies);
        }
        if (key == "url") s.reader.String(v, &env.url);
        if (key == "instances") ReadInstances(s, v, &env);
        if (key == "deploy") command(&env.deploy);
        if (key == "stop") command(&env.stop);
        if (key == "pre_deploy") command(&env.pre_deploy);
        if (key == "post_deploy") command(&env.post_deploy);
        if (key == "router") ReadRouter(s, v, &env);
        if (key == "max_unavailable") s.reader.Int(v, &env.max_unavailable, 1, kIntMax);
        if (key == "steps") ReadSteps(s, v, &env);
        if (key == "pause") s.reader.DurationValue(v, &env.pause);
        if (key == "scale_down_delay") s.reader.DurationValue(v, &env.scale_down_delay);
        if (key == "health") ReadHealth(s, v, &env.health);
        if (key == "analysis") ReadAnalysis(s, v, &env.analysis);
        if (key == "secrets") ReadSecrets(s, v, &env.secrets);
        if (key == "rollback_on_failure") s.reader.Bool(v, &env.rollback_on_failure);
      });
  if (env.strategy == "blue_green" && !env.instances.empty() && env.instances.size() != 2)
    s.reader.Error(strategy, "blue_green needs exactly two instances (the blue and green slots)",
                   "instances: [{name: blue, address: ...}, {name: green, address: ...}]");
}

}  // namespace

void ReadGates(LoadState& s, const YamlNode* n) {
  Gates& g = s.pipeline.gates;
  g.loc = s.reader.Loc(n);
  if (n->is_null()) return;
  s.reader.ForEach(
      n, "gates", {"risk", "coverage", "trust", "max_fix_attempts", "required"},
      [&](const std::string& key, const YamlNode*, const YamlNode* v) {
        if (key == "risk") {
          s.reader.ForEach(v, "gates.risk", {"low", "medium", "high", "critical"},
                           [&](const std::string& level, const YamlNode*, const YamlNode* w) {
                             auto* out = level == "low"      ? &g.risk_low
                                         : level == "medium" ? &g.risk_medium
                                         : level == "high"   ? &g.risk_high
                                                             : &g.risk_critical;
                             s.reader.StringList(w, out, true);
                           });
        }
        if (key == "coverage") {
          s.reader.ForEach(
              v, "gates.coverage", {"min_line", "new_code_line"},
              [&](const std::string& which, const YamlNode*, const YamlNode* w) {
                double pct = 0;
                if (!s.reader.Number(w, &pct, 0, 100)) return;
                (which == "min_line" ? g.min_line_coverage : g.new_code_line_coverage) = pct;
              });
        }
        if (key == "trust") {
          s.reader.ForEach(v, "gates.trust", {"l1", "l2", "l3"},
                           [&](const std::string& level, const YamlNode*, const YamlNode* w) {
                             ReadTrust(s, w, level,
                                       level == "l1"   ? &g.trust_l1
                                       : level == "l2" ? &g.trust_l2
                                                       : &g.trust_l3);
                           });
        }
        if (key == "max_fix_attempts") s.reader.Int(v, &g.max_fix_attempts, 0, 100);
        if (key == "required") s.reader.LocatedList(v, &g.required, true);
      });
}

void ReadEnvironments(LoadState& s, const YamlNode* n) {
  if (n->is_null()) return;
  s.reader.ForEach(n, "environments", {},
                   [&](const std::string& name, const YamlNode* k, const YamlNode* v) {
                     ReadEnvironment(s, name, k, v);
                   });
}

}  // namespace gauntlet::spec
