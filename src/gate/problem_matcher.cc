#include "gate/problem_matcher.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "gate/json_in_log.h"
#include "gate/text.h"

namespace gauntlet::gate {

namespace {

Severity SeverityFromText(std::string s, Severity fallback) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "error" || s == "fatal" || s == "fatal error" || s == "e") return Severity::kError;
  if (s == "warning" || s == "warn" || s == "w") return Severity::kWarning;
  if (s == "notice" || s == "note" || s == "info" || s == "hint") return Severity::kNote;
  return fallback;
}

Category CategoryFromOwner(const std::string& owner) {
  for (Category c :
       {Category::kBuild, Category::kLint, Category::kType, Category::kTest, Category::kSecurity}) {
    const std::string name = CategoryName(c);
    if (owner.size() > name.size() && owner.compare(0, name.size(), name) == 0 &&
        (owner[name.size()] == '-' || owner[name.size()] == ':')) {
      return c;
    }
  }
  return Category::kOther;
}

Result<MatcherPattern> LoadPattern(const nlohmann::json& p, const std::string& where) {
  if (!p.is_object()) return Error{where + ": a pattern must be an object"};
  if (!Field(p, "regexp").is_string()) return Error{where + ": \"regexp\" (a string) is required"};
  MatcherPattern m;
  m.source = p["regexp"].get<std::string>();
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(m.source, opts);
  if (!re->ok()) {
    return Error{where + ": regexp " + nlohmann::json(m.source).dump() +
                 " is not accepted by RE2 (" + re->error() +
                 "); RE2 has no lookaround and no backreferences, rewrite it without them"};
  }
  const int groups = re->NumberOfCapturingGroups();
  m.regexp = std::move(re);
  struct Slot {
    const char* key;
    int* field;
  };
  const Slot slots[] = {
      {"file", &m.file},         {"fromPath", &m.from_path}, {"line", &m.line},
      {"column", &m.column},     {"endLine", &m.end_line},   {"endColumn", &m.end_column},
      {"severity", &m.severity}, {"code", &m.code},          {"message", &m.message}};
  for (const Slot& s : slots) {
    const auto& v = Field(p, s.key);
    if (v.is_null()) continue;
    if (!v.is_number_integer() || v.get<int>() < 1 || v.get<int>() > groups) {
      return Error{where + ": \"" + s.key + "\" must be a capture group number from 1 to " +
                   std::to_string(groups)};
    }
    *s.field = v.get<int>();
  }
  if (Field(p, "loop").is_boolean()) m.loop = p["loop"].get<bool>();
  return m;
}

// Copies the captured fields of one pattern into `d`.
void Apply(const MatcherPattern& p, const std::vector<std::string>& groups, Severity fallback,
           Diagnostic& d) {
  auto group = [&](int i) -> const std::string& {
    static const std::string kEmpty;
    return i > 0 && i <= static_cast<int>(groups.size()) ? groups[i - 1] : kEmpty;
  };
  if (p.file) {
    d.file = group(p.file);
    if (p.from_path && !d.file.empty() && d.file[0] != '/') {
      const std::string& from = group(p.from_path);
      size_t slash = from.rfind('/');
      if (slash != std::string::npos) d.file = from.substr(0, slash + 1) + d.file;
    }
  }
  if (p.line) d.line = ToInt(group(p.line));
  if (p.column) d.col = ToInt(group(p.column));
  if (p.end_line) d.end_line = ToInt(group(p.end_line));
  if (p.end_column) d.end_col = ToInt(group(p.end_column));
  if (p.severity) d.severity = SeverityFromText(group(p.severity), fallback);
  if (p.code) d.rule = std::string(Trim(group(p.code)));
  if (p.message) d.message = std::string(Trim(group(p.message)));
}

bool Match(const MatcherPattern& p, std::string_view line, std::vector<std::string>& groups) {
  const int n = p.regexp->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> pieces(n);
  std::vector<RE2::Arg> args(n);
  std::vector<const RE2::Arg*> arg_ptrs(n);
  for (int i = 0; i < n; ++i) {
    args[i] = &pieces[i];
    arg_ptrs[i] = &args[i];
  }
  if (!RE2::PartialMatchN(re2::StringPiece(line.data(), line.size()), *p.regexp, arg_ptrs.data(),
                          n)) {
    return false;
  }
  groups.assign(n, "");
  for (int i = 0; i < n; ++i) groups[i] = std::string(pieces[i].data(), pieces[i].size());
  return true;
}

}  // namespace

Result<std::vector<ProblemMatcher>> LoadProblemMatchers(std::string_view json_text,
                                                        const std::string& origin) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return Error{origin + ": not valid JSON"};
  const auto& list = Field(j, "problemMatcher");
  if (!list.is_array()) return Error{origin + ": expected {\"problemMatcher\": [...]}"};
  std::vector<ProblemMatcher> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& m = list[i];
    const std::string where = origin + ": problemMatcher[" + std::to_string(i) + "]";
    if (!Field(m, "owner").is_string()) return Error{where + ": \"owner\" (a string) is required"};
    ProblemMatcher pm;
    pm.owner = m["owner"].get<std::string>();
    pm.category = CategoryFromOwner(pm.owner);
    if (Field(m, "severity").is_string()) {
      pm.default_severity = SeverityFromText(m["severity"].get<std::string>(), Severity::kError);
    }
    const auto& patterns = Field(m, "pattern");
    std::vector<nlohmann::json> list_of;
    if (patterns.is_object()) {
      list_of.push_back(patterns);  // a single pattern may be given without the array
    } else if (patterns.is_array() && !patterns.empty()) {
      list_of.assign(patterns.begin(), patterns.end());
    } else {
      return Error{where + " (" + pm.owner + "): \"pattern\" must be a non-empty array"};
    }
    bool has_message = false;
    for (size_t k = 0; k < list_of.size(); ++k) {
      auto p =
          LoadPattern(list_of[k], where + " (" + pm.owner + ") pattern[" + std::to_string(k) + "]");
      if (!p.ok()) return p.error();
      if (p->loop && k + 1 != list_of.size()) {
        return Error{where + " (" + pm.owner + "): only the last pattern may \"loop\""};
      }
      has_message |= p->message != 0;
      pm.patterns.push_back(std::move(p).value());
    }
    if (!has_message) {
      return Error{where + " (" + pm.owner + "): no pattern captures a \"message\""};
    }
    out.push_back(std::move(pm));
  }
  return out;
}

std::vector<Diagnostic> RunProblemMatchers(const std::vector<ProblemMatcher>& matchers,
                                           std::string_view log, const ParseOptions& options) {
  const std::vector<std::string_view> lines = SplitLines(log);
  std::vector<Diagnostic> out;
  std::vector<std::string> groups;
  for (const ProblemMatcher& m : matchers) {
    const size_t n = m.patterns.size();
    auto emit = [&](Diagnostic d) {
      d.category = m.category;
      d.tool = m.owner;
      d.file = RelativePath(d.file, options.repo_root);
      out.push_back(std::move(d));
    };
    size_t i = 0;
    while (i < lines.size()) {
      // Match the patterns on consecutive lines from i.
      Diagnostic d;
      d.severity = m.default_severity;
      size_t k = 0;
      while (k < n && i + k < lines.size() && Match(m.patterns[k], lines[i + k], groups)) {
        Apply(m.patterns[k], groups, m.default_severity, d);
        AppendLine(d.excerpt, lines[i + k]);
        ++k;
      }
      if (k < n) {
        ++i;
        continue;
      }
      size_t next = i + n;
      emit(d);
      const MatcherPattern& last = m.patterns.back();
      if (n > 1 && last.loop) {
        // Each further line the last pattern matches is another problem that
        // shares the fields captured by the earlier patterns.
        while (next < lines.size() && Match(last, lines[next], groups)) {
          Diagnostic more = d;
          more.excerpt = std::string(lines[next]);
          Apply(last, groups, m.default_severity, more);
          emit(std::move(more));
          ++next;
        }
      }
      i = next;
    }
  }
  return out;
}

}  // namespace gauntlet::gate
