#include "spec/model.h"

#include <algorithm>

namespace gauntlet::spec {

std::vector<CanaryStep> WeightSteps(const std::vector<int>& weights) {
  std::vector<CanaryStep> out;
  for (int w : weights) {
    CanaryStep step;
    step.weight = w;
    step.environment_pause = w < 100;
    out.push_back(step);
  }
  return out;
}

std::string DescribeStep(const CanaryStep& step, Duration environment_pause) {
  std::vector<std::string> parts;
  if (step.weight >= 0) parts.push_back(std::to_string(step.weight) + "%");
  Duration pause = step.environment_pause ? environment_pause : step.pause;
  if (pause > Duration(0))
    parts.push_back((parts.empty() ? "pause " : "watched ") + FormatDuration(pause));
  if (step.pause_until_promoted) parts.push_back("pause until promoted");
  if (step.analysis) parts.push_back("analysis " + FormatDuration(step.analysis_duration));
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::string DescribeSteps(const Environment& env) {
  std::string out;
  for (const CanaryStep& step : env.steps)
    out += (out.empty() ? "" : ", ") + DescribeStep(step, env.pause);
  return out;
}

namespace {

struct StrategyKey {
  const char* key;
  std::vector<std::string> strategies;
};

const std::vector<StrategyKey>& StrategyKeys() {
  static const std::vector<StrategyKey> keys = {
      {"steps", {"canary"}},
      {"pause", {"canary", "rolling"}},
      {"scale_down_delay", {"canary", "blue_green"}},
      {"bake", {"canary", "blue_green"}},
      {"max_unavailable", {"rolling"}},
      {"analysis", {"canary", "blue_green", "rolling"}},
      {"analysis.pre_traffic", {"canary", "blue_green"}},
      {"drain", {"canary", "blue_green", "rolling"}},
      {"drain_timeout", {"canary", "blue_green", "rolling"}},
  };
  return keys;
}

}  // namespace

std::string StrategiesUsing(const std::string& key) {
  for (const StrategyKey& k : StrategyKeys()) {
    if (key != k.key) continue;
    std::string out;
    for (const std::string& s : k.strategies) out += (out.empty() ? "" : ", ") + s;
    return out;
  }
  return "";
}

bool StrategyUses(const std::string& strategy, const std::string& key) {
  for (const StrategyKey& k : StrategyKeys()) {
    if (key == k.key)
      return std::find(k.strategies.begin(), k.strategies.end(), strategy) != k.strategies.end();
  }
  return true;
}

std::vector<std::pair<std::string, Location>> KeysUnusedBy(const Environment& env,
                                                           const std::string& strategy) {
  std::vector<std::pair<std::string, Location>> out;
  for (const auto& key : env.strategy_keys) {
    if (!StrategyUses(strategy, key.first)) out.push_back(key);
  }
  return out;
}

const Job* Pipeline::FindJob(const std::string& name) const {
  for (const Job& j : jobs)
    if (j.name == name) return &j;
  return nullptr;
}

const Environment* Pipeline::FindEnvironment(const std::string& name) const {
  for (const Environment& e : environments)
    if (e.name == name) return &e;
  return nullptr;
}

const char* LanguageName(Language lang) {
  switch (lang) {
    case Language::kPython:
      return "python";
    case Language::kJavaScript:
      return "javascript";
    case Language::kTypeScript:
      return "typescript";
    case Language::kGo:
      return "go";
    case Language::kRust:
      return "rust";
    case Language::kCpp:
      return "cpp";
    case Language::kNone:
      break;
  }
  return "";
}

// One parser per language: the one whose output names file:line for the most
// common failure (tests for python, the compiler or linter elsewhere).
const char* DefaultDiagnostics(Language lang) {
  switch (lang) {
    case Language::kPython:
      return "pytest";
    case Language::kJavaScript:
      return "eslint";
    case Language::kTypeScript:
      return "tsc";
    case Language::kGo:
      return "go";
    case Language::kRust:
      return "cargo";
    case Language::kCpp:
      return "gcc";
    case Language::kNone:
      break;
  }
  return "";
}

}  // namespace gauntlet::spec
