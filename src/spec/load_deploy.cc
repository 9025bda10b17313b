// `gates:` (risk globs, coverage thresholds, trust levels) and `environments:`
// (deploy targets: strategy, instances, router, health checks, metric analysis).
#include <limits>

#include "spec/deploy_template.h"
#include "spec/load_internal.h"

namespace gauntlet::spec {

const std::vector<std::string> kStrategies = {"recreate", "rolling", "blue_green", "canary"};

namespace {

constexpr int kIntMax = std::numeric_limits<int>::max();

void ReadTrust(LoadState& s, const YamlNode* n, const std::string& level, TrustThreshold* t) {
  s.reader.ForEach(n, "gates.trust." + level, {"changes", "max_incident_rate", "min_days"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "changes") s.reader.Int(v, &t->changes, 0, kIntMax);
                     if (key == "max_incident_rate")
                       s.reader.Number(v, &t->max_incident_rate, 0, 1);
                     if (key == "min_days") s.reader.Int(v, &t->min_days, 0, 36500);
                   });
}

}  // namespace

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

namespace {

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
    return;
  }
  s.reader.ForEach(n, "router",
                   {"type", "upstream_file", "upstream_name", "command", "nginx", "pid_file"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "type") s.reader.Enum(v, &env->router, "router type", types);
                     if (key == "upstream_file") s.reader.String(v, &env->nginx_upstream_file);
                     if (key == "upstream_name") s.reader.String(v, &env->nginx_upstream_name);
                     if (key == "command") s.reader.String(v, &env->router_command);
                     if (key == "nginx") s.reader.StringList(v, &env->nginx_command, false);
                     if (key == "pid_file") s.reader.String(v, &env->nginx_pid_file);
                   });
}

// After every key: the router's settings may come nested (`router: {type: nginx, ...}`)
// or flat beside `router: nginx` (nginx_upstream_file, nginx_upstream_name,
// router_command), as docs/deploy.md shows both.
void CheckRouter(LoadState& s, const YamlNode* router, const YamlNode* flat, Environment* env) {
  if (router && flat && router->is_map())
    s.reader.Error(flat, "the router is set twice: nested under router: and flat beside it",
                   "keep one: router: {type: nginx, upstream_file: ..., upstream_name: ...}");
  const YamlNode* at = router ? router : flat;
  if (flat && !router)
    s.reader.Error(flat, "router settings without router:", "add router: nginx (or command)");
  if (env->router == "nginx" &&
      (env->nginx_upstream_file.empty() || env->nginx_upstream_name.empty()))
    s.reader.Error(at, "the nginx router needs upstream_file and upstream_name",
                   "router: {type: nginx, upstream_file: /etc/nginx/conf.d/app.conf, "
                   "upstream_name: app}");
  if (env->router == "command" && env->router_command.empty())
    s.reader.Error(at, "the command router needs a command",
                   "router: {type: command, command: ./set-weights.sh}");
}

// Keys the environment's strategy does not use are errors, not silently ignored.
void CheckStrategyKeys(LoadState& s, const Environment& env) {
  for (const auto& [key, loc] : KeysUnusedBy(env, env.strategy)) {
    std::string users = StrategiesUsing(key);
    s.reader.problems()->Error(loc, key + " is not used by the " + env.strategy + " strategy",
                               "used only by " + users + ": remove it, or set strategy: " +
                                   users.substr(0, users.find(',')));
  }
}

// The value of `key` in map `n`, or nullptr.
const YamlNode* Find(const YamlNode* n, std::string_view key) {
  if (!n || !n->is_map()) return nullptr;
  for (size_t i = 0; i < n->pairs(); ++i)
    if (n->key(i)->value == key) return n->val(i);
  return nullptr;
}

// The keys an environment may have; `steps` is read after the others (its analysis
// entries start from the environment's analysis).
const std::vector<std::string> kEnvironmentKeys = {"strategy",
                                                   "url",
                                                   "instances",
                                                   "deploy",
                                                   "stop",
                                                   "pre_deploy",
                                                   "post_deploy",
                                                   "router",
                                                   "nginx_upstream_file",
                                                   "nginx_upstream_name",
                                                   "router_command",
                                                   "max_unavailable",
                                                   "steps",
                                                   "pause",
                                                   "scale_down_delay",
                                                   "bake",
                                                   "drain",
                                                   "drain_timeout",
                                                   "health",
                                                   "analysis",
                                                   "secrets",
                                                   "rollback_on_failure",
                                                   "slo"};

void ReadSlo(LoadState& s, const YamlNode* n, Slo* slo) {
  s.reader.ForEach(n, "slo", {"p50_ms", "p95_ms", "p99_ms", "error_rate"},
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     double x = 0;
                     const double max = key == "error_rate" ? 1 : 3.6e6;
                     if (!s.reader.Number(v, &x, 0, max)) return;
                     if (key == "p50_ms") slo->p50_ms = x;
                     if (key == "p95_ms") slo->p95_ms = x;
                     if (key == "p99_ms") slo->p99_ms = x;
                     if (key == "error_rate") slo->error_rate = x;
                   });
}

// Nodes of an environment that are checked once all of it is read.
struct EnvironmentNodes {
  const YamlNode* strategy = nullptr;
  const YamlNode* router = nullptr;
  const YamlNode* flat_router = nullptr;  // the first of the flat router keys
  bool known_strategy = true;
};

// A deploy command: its own references (release, slot, instance), passed as environment
// variables (spec/deploy_template.h).
void ReadCommand(LoadState& s, const YamlNode* v, std::string* out) {
  if (!s.reader.String(v, out)) return;
  auto rendered = RenderDeployCommand(*out);
  if (!rendered.ok())
    s.reader.Error(v, rendered.error().message,
                   "e.g. ./deploy.sh ${{ slot }} ${{ release.version }}");
}

void ReadEnvironmentKey(LoadState& s, const std::string& key, const YamlNode* v, Environment* env,
                        EnvironmentNodes* at) {
  if (!StrategiesUsing(key).empty()) env->strategy_keys.push_back({key, s.reader.Loc(v)});
  if (key == "strategy") {
    at->strategy = v;
    at->known_strategy = s.reader.Enum(v, &env->strategy, "strategy", kStrategies);
  }
  if (key == "url") s.reader.String(v, &env->url);
  if (key == "instances") ReadInstances(s, v, env);
  if (key == "deploy") ReadCommand(s, v, &env->deploy);
  if (key == "stop") ReadCommand(s, v, &env->stop);
  if (key == "pre_deploy") ReadCommand(s, v, &env->pre_deploy);
  if (key == "post_deploy") ReadCommand(s, v, &env->post_deploy);
  if (key == "router") {
    at->router = v;
    ReadRouter(s, v, env);
  }
  if (key == "nginx_upstream_file" || key == "nginx_upstream_name" || key == "router_command") {
    if (!at->flat_router) at->flat_router = v;
    s.reader.String(v, key == "nginx_upstream_file"   ? &env->nginx_upstream_file
                       : key == "nginx_upstream_name" ? &env->nginx_upstream_name
                                                      : &env->router_command);
  }
  if (key == "max_unavailable") s.reader.Int(v, &env->max_unavailable, 1, kIntMax);
  if (key == "pause") s.reader.DurationValue(v, &env->pause);
  if (key == "scale_down_delay") s.reader.DurationValue(v, &env->scale_down_delay);
  if (key == "bake") s.reader.DurationValue(v, &env->bake);
  if (key == "drain") s.reader.DurationValue(v, &env->drain);
  if (key == "drain_timeout") s.reader.DurationValue(v, &env->drain_timeout);
  if (key == "health") ReadHealth(s, v, &env->health);
  if (key == "analysis") {
    ReadAnalysis(s, v, &env->analysis, nullptr);
    if (const YamlNode* pre = Find(v, "pre_traffic"))
      env->strategy_keys.push_back({"analysis.pre_traffic", s.reader.Loc(pre)});
  }
  if (key == "secrets") ReadSecrets(s, v, &env->secrets);
  if (key == "slo") ReadSlo(s, v, &env->slo);
  if (key == "rollback_on_failure") s.reader.Bool(v, &env->rollback_on_failure);
}

void ReadEnvironment(LoadState& s, const std::string& name, const YamlNode* k, const YamlNode* n) {
  Environment& env = s.pipeline.environments.emplace_back();
  env.name = name;
  env.loc = s.reader.Loc(k);
  if (n->is_null()) return;
  EnvironmentNodes at;
  at.strategy = n;
  s.reader.ForEach(n, "environment '" + name + "'", kEnvironmentKeys,
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                     if (key == "steps") {
                       env.strategy_keys.push_back({key, s.reader.Loc(v)});
                     } else {
                       ReadEnvironmentKey(s, key, v, &env, &at);
                     }
                   });
  if (const YamlNode* steps = Find(n, "steps")) ReadSteps(s, steps, &env);
  if (at.router || at.flat_router) CheckRouter(s, at.router, at.flat_router, &env);
  if (at.known_strategy) CheckStrategyKeys(s, env);
  if (env.strategy == "blue_green" && !env.instances.empty() && env.instances.size() != 2)
    s.reader.Error(at.strategy, "blue_green needs exactly two instances (the blue and green slots)",
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
