#include "gate/identity.h"

#include <algorithm>
#include <cctype>

namespace gauntlet::gate {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The last value of a trailer in the commit (git keeps duplicates; the last one wins).
std::string Trailer(const vcs::RangeCommit& c, std::string_view key) {
  std::string value;
  for (const auto& [k, v] : c.trailers) {
    if (Lower(k) == Lower(key)) value = v;
  }
  return value;
}

}  // namespace

std::string AuthorKey(const Author& a) { return Lower(a.email.empty() ? a.name : a.email); }

std::optional<std::string> RevertedCommit(std::string_view message) {
  constexpr std::string_view kMarker = "This reverts commit ";
  size_t at = message.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = message.substr(at + kMarker.size());
  size_t n = 0;
  while (n < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[n]))) ++n;
  if (n < 7 || n > 40) return std::nullopt;  // git writes the full id; accept an abbreviation
  return Lower(rest.substr(0, n));
}

Identity IdentityOf(const vcs::Range& range) {
  Identity id;
  for (const vcs::RangeCommit& c : range.commits) {
    ChangeCommit cc;
    cc.commit = c.commit;
    cc.author = {c.author_name, c.author_email};
    cc.subject = c.subject;
    cc.agent_by = Trailer(c, "Agent-By");
    cc.task_id = Trailer(c, "Task-ID");
    cc.model = Trailer(c, "Model");
    cc.reverts = RevertedCommit(c.message).value_or("");
    if (!cc.agent_by.empty()) id.agent_by = cc.agent_by;
    if (!cc.task_id.empty()) id.task_id = cc.task_id;
    if (!cc.model.empty()) id.model = cc.model;
    const std::string key = AuthorKey(cc.author);
    if (std::none_of(id.authors.begin(), id.authors.end(),
                     [&](const Author& a) { return AuthorKey(a) == key; })) {
      id.authors.push_back(cc.author);
    }
    id.author = cc.author;
    id.commits.push_back(std::move(cc));
  }
  return id;
}

std::map<std::string, std::set<int>> ChangedLines(const vcs::Range& range) {
  std::map<std::string, std::set<int>> out;
  for (const vcs::FileDiff& f : range.files) {
    if (!f.added_lines.empty()) out[f.path] = f.added_lines;
  }
  return out;
}

}  // namespace gauntlet::gate
