#include "spec/model.h"

namespace gauntlet::spec {

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
