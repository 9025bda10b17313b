// The risk of a change: each changed file gets a class from the `gates.risk`
// globs (or the defaults below), and the change takes the highest class among
// its files. A size class comes from the added+deleted line count.
//
// A file matching several classes takes the highest (a test under `auth/` is
// high). A class the user lists replaces that class's defaults; `critical` has
// none (only what the user lists). A file no glob matches is medium.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/glob.h"
#include "core/result.h"
#include "spec/model.h"

namespace gauntlet::gate {

enum class RiskClass { kLow, kMedium, kHigh, kCritical };
enum class SizeClass { kXS, kS, kM, kL, kXL, kXXL };

std::string_view ToString(RiskClass r);  // "low", "medium", "high", "critical"
std::string_view ToString(SizeClass s);  // "XS" ... "XXL"

// XS <10 lines, S <30, M <100, L <500, XL <1000, XXL beyond.
SizeClass SizeOf(int changed_lines);

// The default globs of a class (empty for critical and medium), for docs and --json.
const std::vector<std::string>& DefaultRiskGlobs(RiskClass r);

class RiskRules {
 public:
  // Compiles the pipeline's `gates.risk` lists, defaults for the empty ones.
  static Result<RiskRules> FromGates(const spec::Gates& gates);

  RiskClass Classify(std::string_view path) const;

 private:
  GlobSet low_, medium_, high_, critical_;
};

struct FileRisk {
  std::string path;
  RiskClass risk = RiskClass::kMedium;
  int added = 0;
  int deleted = 0;
};

struct RiskAssessment {
  RiskClass risk = RiskClass::kLow;  // low for a change with no files
  SizeClass size = SizeClass::kXS;
  int lines = 0;  // added + deleted
  std::vector<FileRisk> files;
};

// `files` carry their path and line counts; the result fills in each one's class.
RiskAssessment AssessRisk(const RiskRules& rules, std::vector<FileRisk> files);

}  // namespace gauntlet::gate
