#include "release/bump_files.h"

#include <re2/re2.h>

namespace gauntlet::release {
namespace {

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The first match's group as a byte range of `text`; false when none.
bool Find(const RE2& re, std::string_view text, size_t* begin, size_t* end) {
  re2::StringPiece groups[2];
  if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, groups, 2) || groups[1].data() == nullptr)
    return false;
  *begin = static_cast<size_t>(groups[1].data() - text.data());
  *end = *begin + groups[1].size();
  return true;
}

}  // namespace

Result<std::string> VersionPattern(std::string_view path, std::string_view pattern) {
  if (!pattern.empty()) return std::string(pattern);
  const std::string_view name = BaseName(path);
  if (name == "VERSION") return std::string(R"re(^\s*(\S+))re");
  if (name == "package.json") return std::string(R"re("version"\s*:\s*"([^"]*)")re");
  // The first `version = "..."` at the start of a line: [project] / [package] keep theirs
  // before any dependency table.
  if (name == "pyproject.toml" || name == "Cargo.toml")
    return std::string(R"re((?m)^version\s*=\s*"([^"]*)")re");
  if (name == "CMakeLists.txt")
    return std::string(R"re((?is)project\s*\([^)]*?\bVERSION\s+([0-9][0-9A-Za-z.+-]*))re");
  return Error::Invalid("cannot tell where the version is in " + std::string(path) +
                        ": known files are VERSION, package.json, pyproject.toml, Cargo.toml, "
                        "CMakeLists.txt; for another file give a pattern with one group");
}

Result<std::string> BumpText(std::string_view path, std::string_view pattern,
                             std::string_view text, std::string_view version) {
  auto p = VersionPattern(path, pattern);
  if (!p.ok()) return p.error();
  RE2 re(*p);
  if (!re.ok() || re.NumberOfCapturingGroups() != 1)
    return Error::Invalid("version pattern '" + *p + "' for " + std::string(path) +
                          " must be a valid regular expression with one capturing group");
  size_t begin = 0, end = 0;
  if (!Find(re, text, &begin, &end))
    return Error::Invalid("no version found in " + std::string(path) + " (looked for /" + *p +
                          "/)");
  return std::string(text.substr(0, begin)) + std::string(version) +
         std::string(text.substr(end));
}

std::string CurrentVersionIn(std::string_view path, std::string_view pattern,
                             std::string_view text) {
  auto p = VersionPattern(path, pattern);
  if (!p.ok()) return "";
  RE2 re(*p);
  size_t begin = 0, end = 0;
  if (!re.ok() || re.NumberOfCapturingGroups() != 1 || !Find(re, text, &begin, &end)) return "";
  return std::string(text.substr(begin, end - begin));
}

}  // namespace gauntlet::release
