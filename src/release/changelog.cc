#include "release/changelog.h"

namespace gauntlet::release {
namespace {

std::string Line(const ConventionalCommit& c, bool breaking_text) {
  std::string line = "- ";
  if (!c.scope.empty()) line += "**" + c.scope + ":** ";
  line += breaking_text && !c.breaking_note.empty() ? c.breaking_note : c.subject;
  line += " (" + c.id.substr(0, 7);
  if (!c.task_id.empty()) line += "; Task-ID: " + c.task_id;
  if (!c.agent_by.empty()) line += "; Agent-By: " + c.agent_by;
  return line + ")\n";
}

bool HeadingOf(std::string_view line, std::string_view tag) {
  if (!line.starts_with("## ")) return false;
  line.remove_prefix(3);
  return line == tag || line.starts_with(std::string(tag) + " ");
}

}  // namespace

std::string ChangelogSection(std::string_view tag, std::string_view date,
                             const std::vector<ConventionalCommit>& commits) {
  struct Group {
    const char* title;
    bool (*takes)(const ConventionalCommit&);
  };
  static const Group kGroups[] = {
      {"Breaking changes", [](const ConventionalCommit& c) { return c.breaking; }},
      {"Features", [](const ConventionalCommit& c) { return !c.breaking && c.type == "feat"; }},
      {"Fixes",
       [](const ConventionalCommit& c) {
         return !c.breaking && (c.type == "fix" || c.type == "revert");
       }},
      {"Performance", [](const ConventionalCommit& c) { return !c.breaking && c.type == "perf"; }},
  };
  std::string out = "## " + std::string(tag) + " (" + std::string(date) + ")\n";
  for (const Group& g : kGroups) {
    std::string lines;
    for (const auto& c : commits)
      if (g.takes(c)) lines += Line(c, g.takes == kGroups[0].takes);
    if (!lines.empty()) out += "\n### " + std::string(g.title) + "\n\n" + lines;
  }
  return out;
}

std::string InsertSection(std::string_view file_text, std::string_view tag,
                          std::string_view section, bool* already) {
  *already = false;
  size_t insert_at = std::string_view::npos;
  size_t pos = 0;
  while (pos < file_text.size()) {
    size_t end = file_text.find('\n', pos);
    if (end == std::string_view::npos) end = file_text.size();
    const std::string_view line = file_text.substr(pos, end - pos);
    if (HeadingOf(line, tag)) {
      *already = true;
      return std::string(file_text);
    }
    if (insert_at == std::string_view::npos && line.starts_with("## ")) insert_at = pos;
    pos = end + 1;
  }
  std::string text(file_text);
  if (text.empty()) text = "# Changelog\n";
  if (insert_at == std::string_view::npos) {
    if (!text.ends_with("\n")) text += "\n";
    return text + "\n" + std::string(section);
  }
  return text.substr(0, insert_at) + std::string(section) + "\n" + text.substr(insert_at);
}

}  // namespace gauntlet::release
