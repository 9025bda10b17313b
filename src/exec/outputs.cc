#include "exec/outputs.h"

#include <string>

namespace gauntlet::exec {
namespace {

bool ValidKey(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void Set(Outputs* out, std::string_view key, std::string value) {
  for (auto& [k, v] : *out) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  out->emplace_back(std::string(key), std::move(value));
}

}  // namespace

Result<Outputs> ParseOutputs(std::string_view text) {
  Outputs out;
  int line_no = 0;
  auto next_line = [&](std::string_view* line) {
    if (text.empty()) return false;
    size_t nl = text.find('\n');
    *line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    ++line_no;
    return true;
  };
  auto error = [&](int line, const std::string& what) {
    return Error{"$GAUNTLET_OUTPUT line " + std::to_string(line) + ": " + what};
  };
  std::string_view line;
  while (next_line(&line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    size_t eq = line.find('=');
    size_t heredoc = line.find("<<");
    if (heredoc != std::string_view::npos && (eq == std::string_view::npos || heredoc < eq)) {
      std::string_view key = line.substr(0, heredoc);
      std::string_view delim = line.substr(heredoc + 2);
      if (!ValidKey(key)) return error(line_no, "invalid output name '" + std::string(key) + "'");
      if (delim.empty()) return error(line_no, "missing delimiter after '<<'");
      int start = line_no;
      std::string value;
      bool closed = false, first = true;
      while (next_line(&line)) {
        if (line == delim) {
          closed = true;
          break;
        }
        if (!first) value += '\n';
        value.append(line);
        first = false;
      }
      if (!closed) {
        // Appended piecewise: GCC 12 -O3 warns (-Wrestrict, a false positive) on "'" + s.
        std::string what = "'";
        what.append(key).append("<<").append(delim);
        what.append("' is never closed by a line '").append(delim).append("'");
        return error(start, what);
      }
      Set(&out, key, std::move(value));
      continue;
    }
    if (eq == std::string_view::npos) {
      return error(line_no,
                   "expected key=value or key<<DELIMITER, got '" + std::string(line) + "'");
    }
    std::string_view key = line.substr(0, eq);
    if (!ValidKey(key)) return error(line_no, "invalid output name '" + std::string(key) + "'");
    Set(&out, key, std::string(line.substr(eq + 1)));
  }
  return out;
}

}  // namespace gauntlet::exec
