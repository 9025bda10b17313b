// TEMPORARY: placeholder definitions so the plan/cli branch links before the loader
// branch lands. Drop this file at merge time; the loader branch defines all of these.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/duration.h"
#include "spec/load.h"
#include "spec/model.h"
#include "spec/problems.h"

namespace gauntlet {

std::string FormatDuration(Duration d) {
  long long ms = d.count();
  if (ms == 0) return "0s";
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  long long s = ms / 1000, h = s / 3600, m = s / 60 % 60;
  s %= 60;
  std::string out;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s) out += std::to_string(s) + "s";
  return out;
}

}  // namespace gauntlet

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
    case Language::kNone: return "";
    case Language::kPython: return "python";
    case Language::kJavaScript: return "javascript";
    case Language::kTypeScript: return "typescript";
    case Language::kGo: return "go";
    case Language::kRust: return "rust";
    case Language::kCpp: return "cpp";
  }
  return "";
}

const char* DefaultDiagnostics(Language) { return ""; }

void Problems::Error(Location loc, std::string message, std::string hint) {
  list_.push_back({Severity::kError, std::move(loc), std::move(message), std::move(hint)});
}

void Problems::Warning(Location loc, std::string message, std::string hint) {
  list_.push_back({Severity::kWarning, std::move(loc), std::move(message), std::move(hint)});
}

bool Problems::has_errors() const {
  for (const Problem& p : list_)
    if (p.severity == Severity::kError) return true;
  return false;
}

void Problems::Append(const Problems& other) {
  list_.insert(list_.end(), other.list_.begin(), other.list_.end());
}

std::string Problems::Format(const std::string&, bool) const {
  std::string out;
  for (const Problem& p : list_) {
    out += p.loc.file + ":" + std::to_string(p.loc.line) + ":" + std::to_string(p.loc.col) + ": " +
           (p.severity == Severity::kError ? "error: " : "warning: ") + p.message + "\n";
    if (!p.hint.empty()) out += "  hint: " + p.hint + "\n";
  }
  return out;
}

nlohmann::json Problems::ToJson() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const Problem& p : list_)
    arr.push_back({{"file", p.loc.file},
                   {"line", p.loc.line},
                   {"col", p.loc.col},
                   {"severity", p.severity == Severity::kError ? "error" : "warning"},
                   {"message", p.message},
                   {"hint", p.hint}});
  return arr;
}

LoadResult LoadString(const std::string& text, const std::string& path) {
  LoadResult r;
  r.pipeline.file = path;
  r.source = text;
  r.problems.Error({path, 0, 0}, "the YAML loader is not merged into this build yet");
  return r;
}

LoadResult LoadFile(const std::string& path) { return LoadString("", path); }

std::string FindPipelineFile(const std::string& dir) {
  for (const char* name : {"/gauntlet.yml", "/gauntlet.yaml"}) {
    std::string p = dir + name;
    if (std::FILE* f = std::fopen(p.c_str(), "r")) {
      std::fclose(f);
      return p;
    }
  }
  return "";
}

}  // namespace gauntlet::spec
