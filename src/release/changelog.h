// The changelog section of a release, in Markdown: a `## TAG (DATE)` heading, then
// Breaking changes / Features / Fixes / Performance, one line per commit with its short
// id and the `Task-ID` / `Agent-By` trailers when present. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "release/conventional.h"

namespace gauntlet::release {

// `date` is "YYYY-MM-DD". Commits oldest first (reverts already cancelled).
std::string ChangelogSection(std::string_view tag, std::string_view date,
                             const std::vector<ConventionalCommit>& commits);

// The changelog file's text with `section` added above the previous releases (below a
// leading `# ...` title, which is written when the file is empty). When the file
// already has a section headed by this tag, it is returned unchanged and *already is
// set: a resumed release never writes a second section.
std::string InsertSection(std::string_view file_text, std::string_view tag,
                          std::string_view section, bool* already);

}  // namespace gauntlet::release
