#include "gate/text.h"

#include <charconv>

namespace gauntlet::gate {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string StripAnsi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\x1b') {
      out += text[i];
      continue;
    }
    // CSI: ESC [ parameters... final byte in @..~
    if (i + 1 < text.size() && text[i + 1] == '[') {
      size_t j = i + 2;
      while (j < text.size() && !(text[j] >= '@' && text[j] <= '~')) ++j;
      i = j;
    } else {
      ++i;  // two-byte escape
    }
  }
  return out;
}

std::string RelativePath(std::string_view path, std::string_view root) {
  constexpr std::string_view kFileScheme = "file://";  // SARIF artifact URIs
  if (path.substr(0, kFileScheme.size()) == kFileScheme) path.remove_prefix(kFileScheme.size());
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  if (!root.empty() && path.size() > root.size() && path.substr(0, root.size()) == root &&
      path[root.size()] == '/') {
    path.remove_prefix(root.size() + 1);
  }
  while (path.substr(0, 2) == "./") path.remove_prefix(2);
  return std::string(path);
}

int ToInt(std::string_view s, int fallback) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return fallback;
  return v;
}

std::string_view Trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

void AppendLine(std::string& excerpt, std::string_view line) {
  if (!excerpt.empty()) excerpt += '\n';
  excerpt += line;
}

}  // namespace gauntlet::gate
