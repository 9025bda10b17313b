#include "release/conventional.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>


namespace gauntlet::release {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// `Token: value` (or `Token #value`, the spec's other footer form) at the start of a
// line. `any_case`: trailers are matched as git does (Task-ID, task-id); BREAKING
// CHANGE must be upper case (the spec says so).
bool Footer(std::string_view line, std::string_view token, bool any_case, std::string* value) {
  if (line.size() <= token.size() + 2) return false;
  std::string_view head = line.substr(0, token.size());
  if (any_case ? Lower(std::string(head)) != Lower(std::string(token)) : head != token)
    return false;
  std::string_view rest = line.substr(token.size());
  if (!rest.starts_with(": ") && !rest.starts_with(" #")) return false;
  *value = Trim(rest.substr(2));
  return true;
}

}  // namespace

ConventionalCommit ParseCommit(const RawCommit& raw) {
  // type, optional (scope), optional '!', ": ", subject. RE2: linear time on any input.
  static const RE2 kHeader(R"(^([A-Za-z]+)(?:\(([^()\r\n]*)\))?(!)?: +(.*)$)");
  static const RE2 kRevertsLine(R"(This reverts commit ([0-9a-fA-F]{7,40}))");
  ConventionalCommit c;
  c.id = raw.id;
  const auto lines = Lines(raw.message);
  const std::string first(lines.empty() ? std::string_view() : lines[0]);
  std::string type, scope, bang, subject;
  if (RE2::FullMatch(first, kHeader, &type, &scope, &bang, &subject)) {
    c.type = Lower(type);
    c.scope = scope;
    c.breaking = !bang.empty();
    c.subject = subject;
  } else {
    c.subject = first;
    if (first.starts_with("Revert \"")) c.type = "revert";
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string value;
    if (Footer(lines[i], "BREAKING CHANGE", false, &value) ||
        Footer(lines[i], "BREAKING-CHANGE", false, &value)) {
      c.breaking = true;
      c.breaking_note = value;
    } else if (Footer(lines[i], "Release-As", true, &value)) {
      c.release_as = value;
    } else if (Footer(lines[i], "Task-ID", true, &value)) {
      c.task_id = value;
    } else if (Footer(lines[i], "Agent-By", true, &value)) {
      c.agent_by = value;
    }
  }
  if (c.type == "revert") {
    std::string id;
    if (RE2::PartialMatch(raw.message, kRevertsLine, &id)) c.reverts = Lower(id);
  }
  return c;
}

Bump BumpOf(const ConventionalCommit& c) {
  if (c.breaking) return Bump::kMajor;
  if (c.type == "feat") return Bump::kMinor;
  if (c.type == "fix" || c.type == "perf" || c.type == "revert") return Bump::kPatch;
  return Bump::kNone;
}

std::vector<ConventionalCommit> CancelReverts(std::vector<ConventionalCommit> commits) {
  std::vector<bool> drop(commits.size(), false);
  // Newest first: a revert of a revert pairs with the revert it names, and the original
  // then stays counted (it is in the code again).
  for (size_t i = commits.size(); i-- > 0;) {
    if (drop[i] || commits[i].reverts.empty()) continue;
    const std::string& target = commits[i].reverts;
    for (size_t j = 0; j < commits.size(); ++j) {
      if (j == i || drop[j] || !commits[j].id.starts_with(target)) continue;
      drop[i] = drop[j] = true;
      break;
    }
  }
  std::vector<ConventionalCommit> kept;
  for (size_t i = 0; i < commits.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(commits[i]));
  return kept;
}

Bump BumpOf(const std::vector<ConventionalCommit>& commits) {
  Bump b = Bump::kNone;
  for (const auto& c : commits) b = std::max(b, BumpOf(c));
  return b;
}

}  // namespace gauntlet::release
