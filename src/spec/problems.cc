#include "spec/problems.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/strings.h"

namespace gauntlet::spec {
namespace {

// The 0-based line `line` of `source` (1-based), without its newline; "" when absent.
std::string_view SourceLine(std::string_view source, int line) {
  size_t pos = 0;
  for (int i = 1; i < line; ++i) {
    pos = source.find('\n', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  size_t end = source.find('\n', pos);
  std::string_view text = source.substr(pos, end == std::string_view::npos ? end : end - pos);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

// Spaces (tabs kept, so the caret lines up) under the first `col - 1` characters of
// `line` as PrintableText shows it: a byte it escapes takes four columns.
std::string CaretPad(std::string_view line, int col) {
  std::string pad;
  int chars = 0;
  for (size_t i = 0; i < line.size() && chars < col - 1; ++chars) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    const size_t n = Utf8SequenceLength(line, i);
    if (n == 0 || (c < 0x20 && c != '\t') || c == 0x7F) {
      pad += "    ";  // shown as \xNN
      ++i;
      continue;
    }
    pad += c == '\t' ? '\t' : ' ';
    i += n;
  }
  for (; chars < col - 1; ++chars) pad += ' ';
  return pad;
}

const char* SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

}  // namespace

void Problems::Error(Location loc, std::string message, std::string hint) {
  list_.push_back({Severity::kError, std::move(loc), std::move(message), std::move(hint)});
}

void Problems::Warning(Location loc, std::string message, std::string hint) {
  list_.push_back({Severity::kWarning, std::move(loc), std::move(message), std::move(hint)});
}

bool Problems::has_errors() const {
  return std::any_of(list_.begin(), list_.end(),
                     [](const Problem& p) { return p.severity == Severity::kError; });
}

void Problems::Append(const Problems& other) {
  list_.insert(list_.end(), other.list_.begin(), other.list_.end());
}

std::string Problems::Format(const std::string& source, bool color) const {
  std::vector<const Problem*> sorted;
  for (const Problem& p : list_) sorted.push_back(&p);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Problem* a, const Problem* b) {
    return std::tie(a->loc.file, a->loc.line, a->loc.col) <
           std::tie(b->loc.file, b->loc.line, b->loc.col);
  });
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string out;
  for (const Problem* p : sorted) {
    const char* sev_color = !color                            ? ""
                            : p->severity == Severity::kError ? "\033[1;31m"
                                                              : "\033[1;35m";
    out += bold + p->loc.file;
    if (p->loc.line > 0) out += ":" + std::to_string(p->loc.line);
    if (p->loc.line > 0 && p->loc.col > 0) out += ":" + std::to_string(p->loc.col);
    out += std::string(": ") + reset + sev_color + SeverityName(p->severity) + ":" + reset + " " +
           bold + PrintableText(p->message) + reset + "\n";
    std::string_view line = p->loc.line > 0 ? SourceLine(source, p->loc.line) : "";
    if (!line.empty()) {
      out += PrintableText(line) + "\n";
      out += CaretPad(line, std::max(p->loc.col, 1)) + (color ? "\033[1;32m^\033[0m" : "^") + "\n";
    }
    if (!p->hint.empty()) out += "  hint: " + PrintableText(p->hint) + "\n";
  }
  return out;
}

nlohmann::json Problems::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const Problem& p : list_) {
    // Printable: a message quoting bytes of a binary file must still be valid JSON.
    out.push_back({{"file", PrintableText(p.loc.file)},
                   {"line", p.loc.line},
                   {"col", p.loc.col},
                   {"severity", SeverityName(p.severity)},
                   {"message", PrintableText(p.message)},
                   {"hint", PrintableText(p.hint)}});
  }
  return out;
}

}  // namespace gauntlet::spec
