#include "gate/risk.h"

#include <algorithm>

namespace gauntlet::gate {

std::string_view ToString(RiskClass r) {
  switch (r) {
    case RiskClass::kLow:
      return "low";
    case RiskClass::kMedium:
      return "medium";
    case RiskClass::kHigh:
      return "high";
    case RiskClass::kCritical:
      return "critical";
  }
  return "medium";
}

std::string_view ToString(SizeClass s) {
  switch (s) {
    case SizeClass::kXS:
      return "XS";
    case SizeClass::kS:
      return "S";
    case SizeClass::kM:
      return "M";
    case SizeClass::kL:
      return "L";
    case SizeClass::kXL:
      return "XL";
    case SizeClass::kXXL:
      return "XXL";
  }
  return "XXL";
}

SizeClass SizeOf(int lines) {
  if (lines < 10) return SizeClass::kXS;
  if (lines < 30) return SizeClass::kS;
  if (lines < 100) return SizeClass::kM;
  if (lines < 500) return SizeClass::kL;
  if (lines < 1000) return SizeClass::kXL;
  return SizeClass::kXXL;
}

const std::vector<std::string>& DefaultRiskGlobs(RiskClass r) {
  // Documentation, tests, formatting and editor/linter configuration.
  static const std::vector<std::string> kLow = {
      "**/*.md",       "**/*.rst",        "**/*.adoc",      "**/*.txt",        "docs/**",
      "doc/**",        "**/LICENSE*",     "**/CHANGELOG*",  "**/AUTHORS*",     "test/**",
      "tests/**",      "**/__tests__/**", "**/testdata/**", "**/*_test.*",     "**/*_spec.*",
      "**/*.test.*",   "**/*.spec.*",     "**/test_*.py",   ".clang-format",   ".clang-tidy",
      ".editorconfig", "**/.gitignore",   ".gitattributes", "**/.prettierrc*", "**/.eslintrc*",
      ".vscode/**",    ".idea/**"};
  // Authentication, payments, database schemas and migrations, infrastructure, CI.
  static const std::vector<std::string> kHigh = {"**/auth/**",
                                                 "**/authn/**",
                                                 "**/authz/**",
                                                 "**/*auth.*",
                                                 "**/auth_*",
                                                 "**/oauth*/**",
                                                 "**/oauth*",
                                                 "**/login*",
                                                 "**/session*",
                                                 "**/*password*",
                                                 "**/*secret*",
                                                 "**/*crypto*",
                                                 "**/crypto/**",
                                                 "**/payment*/**",
                                                 "**/payment*",
                                                 "**/billing/**",
                                                 "**/billing*",
                                                 "**/checkout/**",
                                                 "**/migrations/**",
                                                 "**/migrate/**",
                                                 "**/alembic/**",
                                                 "**/*.sql",
                                                 "**/schema.*",
                                                 "**/*schema*.sql",
                                                 "**/*.tf",
                                                 "**/*.tfvars",
                                                 "terraform/**",
                                                 "infra/**",
                                                 "infrastructure/**",
                                                 "deploy/**",
                                                 "k8s/**",
                                                 "kubernetes/**",
                                                 "helm/**",
                                                 "charts/**",
                                                 "ansible/**",
                                                 "**/Dockerfile*",
                                                 "**/docker-compose*.y*ml",
                                                 "**/gauntlet.yml",
                                                 "**/gauntlet.yaml",
                                                 ".github/**",
                                                 ".gitlab-ci.yml",
                                                 ".circleci/**",
                                                 "Jenkinsfile",
                                                 ".travis.yml",
                                                 "azure-pipelines.yml",
                                                 ".buildkite/**"};
  static const std::vector<std::string> kNone;
  switch (r) {
    case RiskClass::kLow:
      return kLow;
    case RiskClass::kHigh:
      return kHigh;
    default:
      return kNone;
  }
}

Result<RiskRules> RiskRules::FromGates(const spec::Gates& gates) {
  RiskRules rules;
  struct Slot {
    const std::vector<std::string>* user;
    RiskClass cls;
    GlobSet* out;
  };
  const Slot slots[] = {{&gates.risk_low, RiskClass::kLow, &rules.low_},
                        {&gates.risk_medium, RiskClass::kMedium, &rules.medium_},
                        {&gates.risk_high, RiskClass::kHigh, &rules.high_},
                        {&gates.risk_critical, RiskClass::kCritical, &rules.critical_}};
  for (const Slot& s : slots) {
    const auto& globs = s.user->empty() ? DefaultRiskGlobs(s.cls) : *s.user;
    auto set = GlobSet::Compile(globs);
    if (!set.ok()) {
      return Error{"gates.risk." + std::string(ToString(s.cls)) + ": " + set.error().message};
    }
    *s.out = std::move(set).value();
  }
  return rules;
}

RiskClass RiskRules::Classify(std::string_view path) const {
  if (critical_.Matches(path)) return RiskClass::kCritical;
  if (high_.Matches(path)) return RiskClass::kHigh;
  if (medium_.Matches(path)) return RiskClass::kMedium;
  if (low_.Matches(path)) return RiskClass::kLow;
  return RiskClass::kMedium;
}

RiskAssessment AssessRisk(const RiskRules& rules, std::vector<FileRisk> files) {
  RiskAssessment a;
  for (FileRisk& f : files) {
    f.risk = rules.Classify(f.path);
    a.risk = std::max(a.risk, f.risk);
    a.lines += f.added + f.deleted;
  }
  a.size = SizeOf(a.lines);
  a.files = std::move(files);
  return a;
}

}  // namespace gauntlet::gate
