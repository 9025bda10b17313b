#include "gate/suggest.h"

#include <algorithm>

namespace gauntlet::gate {

namespace {

int CategoryRank(Category c) {
  switch (c) {
    case Category::kBuild:
      return 0;
    case Category::kType:
      return 1;
    case Category::kTest:
      return 2;
    case Category::kLint:
      return 3;
    case Category::kSecurity:
      return 4;
    case Category::kOther:
      return 5;
  }
  return 5;
}

const char* What(Category c) {
  switch (c) {
    case Category::kBuild:
      return "the compile error";
    case Category::kType:
      return "the type error";
    case Category::kTest:
      return "the failing test";
    case Category::kLint:
      return "the lint finding";
    case Category::kSecurity:
      return "the security finding";
    case Category::kOther:
      return "the problem";
  }
  return "the problem";
}

std::string Shorten(const std::string& message) {
  std::string first = message.substr(0, message.find('\n'));
  constexpr size_t kMax = 100;
  if (first.size() > kMax) first = first.substr(0, kMax - 3) + "...";
  return first;
}

}  // namespace

const Diagnostic* FirstToFix(const std::vector<Diagnostic>& diagnostics) {
  const Diagnostic* best = nullptr;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Severity::kNote) continue;
    if (best == nullptr || std::make_pair(d.severity, CategoryRank(d.category)) <
                               std::make_pair(best->severity, CategoryRank(best->category))) {
      best = &d;
    }
  }
  return best;
}

std::string SuggestFix(const std::vector<Diagnostic>& diagnostics) {
  const Diagnostic* best = FirstToFix(diagnostics);
  if (best == nullptr) return "";
  int errors = 0;
  for (const Diagnostic& d : diagnostics) errors += d.severity == Severity::kError;
  std::string out = "fix ";
  out += best->severity == Severity::kWarning ? std::string("the warning") : What(best->category);
  if (best->category == Category::kTest && !best->rule.empty()) out += " " + best->rule;
  const std::string where = FormatLocation(*best);
  if (!where.empty()) out += (best->category == Category::kTest ? " at " : " in ") + where;
  std::string why = Shorten(best->message);
  if (!best->rule.empty() && best->category != Category::kTest) {
    why = why.empty() ? best->rule : why + ", " + best->rule;
  }
  if (!why.empty()) out += " (" + why + ")";
  const int others = (best->severity == Severity::kError ? errors : 0) - 1;
  if (others > 0) out += " and " + std::to_string(others) + " more error" + (others > 1 ? "s" : "");
  return out;
}

}  // namespace gauntlet::gate
