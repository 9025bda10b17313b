#include "gate/coverage.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "gate/text.h"
#include "gate/xml.h"

namespace gauntlet::gate {

namespace {

double Percent(int part, int total) { return total == 0 ? 100.0 : 100.0 * part / total; }

// Totals from the per-file numbers.
void Sum(Coverage& c) {
  c.lines_total = c.lines_covered = c.branches_total = c.branches_covered = 0;
  for (const FileCoverage& f : c.files) {
    c.lines_total += f.lines_total;
    c.lines_covered += f.lines_covered;
    c.branches_total += f.branches_total;
    c.branches_covered += f.branches_covered;
  }
}

void CountLines(FileCoverage& f) {
  f.lines_covered = static_cast<int>(f.covered.size());
  f.lines_total = static_cast<int>(f.covered.size() + f.uncovered.size());
}

// Records a line's hits; a line listed twice (Cobertura repeats lines under
// <methods>) is covered if any listing ran it.
void AddLine(FileCoverage& f, int line, long hits) {
  if (hits > 0) {
    f.covered.insert(line);
    f.uncovered.erase(line);
  } else if (!f.covered.count(line)) {
    f.uncovered.insert(line);
  }
}

}  // namespace

double Coverage::LinePercent() const { return Percent(lines_covered, lines_total); }
double Coverage::BranchPercent() const { return Percent(branches_covered, branches_total); }

const FileCoverage* Coverage::Find(const std::string& file) const {
  for (const FileCoverage& f : files) {
    if (f.file == file) return &f;
  }
  return nullptr;
}

double NewCodeResult::Percent() const { return gate::Percent(covered, executable); }

Result<Coverage> ParseLcov(std::string_view text, const ParseOptions& options) {
  Coverage c;
  c.format = CoverageFormat::kLcov;
  c.has_line_sets = true;
  FileCoverage f;
  bool in_file = false;
  // Branch records: (line, block, branch) may repeat across test names.
  std::map<std::string, bool> branches;
  int lf = -1, lh = -1, brf = -1, brh = -1;
  int line_no = 0;
  for (std::string_view raw : SplitLines(text)) {
    ++line_no;
    std::string_view line = Trim(raw);
    size_t colon = line.find(':');
    std::string_view key = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (key == "SF") {
      f = FileCoverage{};
      f.file = RelativePath(value, options.repo_root);
      branches.clear();
      lf = lh = brf = brh = -1;
      in_file = true;
    } else if (key == "DA" && in_file) {
      size_t comma = value.find(',');
      if (comma == std::string_view::npos) {
        return Error{"lcov: line " + std::to_string(line_no) + ": malformed DA record"};
      }
      size_t comma2 = value.find(',', comma + 1);  // optional checksum
      AddLine(f, ToInt(value.substr(0, comma)),
              std::atol(std::string(value.substr(comma + 1, comma2 - comma - 1)).c_str()));
    } else if (key == "BRDA" && in_file) {
      size_t last = value.rfind(',');
      if (last == std::string_view::npos) continue;
      std::string id(value.substr(0, last));
      std::string_view taken = value.substr(last + 1);
      bool hit = taken != "-" && ToInt(taken) > 0;
      branches[id] = branches[id] || hit;
    } else if (key == "LF") {
      lf = ToInt(value);
    } else if (key == "LH") {
      lh = ToInt(value);
    } else if (key == "BRF") {
      brf = ToInt(value);
    } else if (key == "BRH") {
      brh = ToInt(value);
    } else if (line == "end_of_record" && in_file) {
      CountLines(f);
      if (f.lines_total == 0 && lf >= 0) {
        f.lines_total = lf;
        f.lines_covered = std::max(lh, 0);
      }
      f.branches_total = static_cast<int>(branches.size());
      for (const auto& [id, hit] : branches) f.branches_covered += hit;
      if (branches.empty() && brf >= 0) {
        f.branches_total = brf;
        f.branches_covered = std::max(brh, 0);
      }
      c.files.push_back(std::move(f));
      f = FileCoverage{};
      in_file = false;
    }
  }
  if (in_file) return Error{"lcov: record for " + f.file + " has no end_of_record"};
  Sum(c);
  return c;
}

Result<Coverage> ParseCobertura(std::string_view text, const ParseOptions& options) {
  auto root = ParseXml(text);
  if (!root.ok()) return Error{"cobertura: " + root.error().message};
  const XmlElement& cov = **root;
  if (cov.name != "coverage") return Error{"cobertura: root element is <" + cov.name + ">"};

  // Filenames are relative to one of the <source> roots; the first absolute
  // one lets them be made relative to the repository.
  std::string source;
  std::vector<const XmlElement*> classes;
  std::vector<const XmlElement*> stack = {&cov};
  while (!stack.empty()) {
    const XmlElement* e = stack.back();
    stack.pop_back();
    if (e->name == "source" && source.empty() && !Trim(e->text).empty() &&
        Trim(e->text)[0] == '/') {
      source = std::string(Trim(e->text));
    }
    if (e->name == "class") classes.push_back(e);
    for (auto it = e->children.rbegin(); it != e->children.rend(); ++it) stack.push_back(it->get());
  }

  Coverage c;
  c.format = CoverageFormat::kCobertura;
  c.has_line_sets = true;
  std::map<std::string, size_t> index;
  for (const XmlElement* cls : classes) {
    std::string file = cls->Attr("filename");
    if (!file.empty() && file[0] != '/' && !source.empty()) file = source + "/" + file;
    file = RelativePath(file, options.repo_root);
    auto [it, inserted] = index.emplace(file, c.files.size());
    if (inserted) {
      c.files.emplace_back();
      c.files.back().file = file;
    }
    FileCoverage& f = c.files[it->second];
    std::map<int, std::pair<int, int>> branch_lines;  // line -> covered, total
    std::vector<const XmlElement*> lines;
    std::vector<const XmlElement*> walk = {cls};
    while (!walk.empty()) {
      const XmlElement* e = walk.back();
      walk.pop_back();
      if (e->name == "line") lines.push_back(e);
      for (const auto& ch : e->children) walk.push_back(ch.get());
    }
    for (const XmlElement* l : lines) {
      const int number = ToInt(l->Attr("number"));
      AddLine(f, number, std::atol(l->Attr("hits").c_str()));
      // condition-coverage="50% (1/2)"
      const std::string& cc = l->Attr("condition-coverage");
      size_t open = cc.find('('), slash = cc.find('/'), close = cc.find(')');
      if (l->Attr("branch") == "true" && open != std::string::npos && slash != std::string::npos &&
          close != std::string::npos) {
        branch_lines[number] = {ToInt(cc.substr(open + 1, slash - open - 1)),
                                ToInt(cc.substr(slash + 1, close - slash - 1))};
      }
    }
    for (const auto& [line, cov_total] : branch_lines) {
      f.branches_covered += cov_total.first;
      f.branches_total += cov_total.second;
    }
    CountLines(f);
  }
  Sum(c);
  if (c.files.empty()) {
    // A report without classes still has its totals.
    c.lines_total = ToInt(cov.Attr("lines-valid"));
    c.lines_covered = ToInt(cov.Attr("lines-covered"));
    c.branches_total = ToInt(cov.Attr("branches-valid"));
    c.branches_covered = ToInt(cov.Attr("branches-covered"));
  }
  return c;
}

Result<Coverage> ParseIstanbulSummary(std::string_view text, const ParseOptions& options) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{"coverage-summary.json: not a JSON object"};
  if (!j.contains("total")) return Error{"coverage-summary.json: no \"total\" entry"};
  auto read = [](const nlohmann::json& entry, const char* key, int& total, int& covered) {
    if (!entry.contains(key) || !entry[key].is_object()) return;
    total = entry[key].value("total", 0);
    covered = entry[key].value("covered", 0);
  };
  Coverage c;
  c.format = CoverageFormat::kIstanbulSummary;
  c.has_line_sets = false;
  for (const auto& [key, entry] : j.items()) {
    if (key == "total" || !entry.is_object()) continue;
    FileCoverage f;
    f.file = RelativePath(key, options.repo_root);
    read(entry, "lines", f.lines_total, f.lines_covered);
    read(entry, "branches", f.branches_total, f.branches_covered);
    c.files.push_back(std::move(f));
  }
  read(j["total"], "lines", c.lines_total, c.lines_covered);
  read(j["total"], "branches", c.branches_total, c.branches_covered);
  return c;
}

Result<Coverage> ParseCoverage(std::string_view text, const ParseOptions& options) {
  std::string_view t = Trim(text);
  while (!t.empty() && (t.front() == '\n' || t.front() == '\r')) t.remove_prefix(1);
  if (t.empty()) return Error{"coverage: empty report"};
  if (t.front() == '{') return ParseIstanbulSummary(text, options);
  if (t.front() == '<') return ParseCobertura(text, options);
  if (t.find("SF:") != std::string_view::npos) return ParseLcov(text, options);
  return Error{"coverage: not lcov, Cobertura XML or coverage-summary.json"};
}

NewCodeResult NewCodeCoverage(const Coverage& coverage,
                              const std::map<std::string, std::set<int>>& changed_lines) {
  NewCodeResult r;
  r.measurable = coverage.has_line_sets;
  if (!r.measurable) return r;
  for (const auto& [file, lines] : changed_lines) {
    const FileCoverage* f = coverage.Find(file);
    if (f == nullptr) continue;  // not instrumented: not executable code
    for (int line : lines) {
      if (f->covered.count(line)) {
        ++r.executable;
        ++r.covered;
      } else if (f->uncovered.count(line)) {
        ++r.executable;
        r.uncovered[file].insert(line);
      }
    }
  }
  return r;
}

}  // namespace gauntlet::gate
