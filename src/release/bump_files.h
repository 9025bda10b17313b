// Writing the new version into the files that carry it. Each kind of file is one RE2
// pattern whose one capturing group is the version: the first match is replaced and the
// rest of the file is kept byte for byte (formatting, comments, key order). Pure: the
// caller reads and writes the files.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace gauntlet::release {

// The pattern for a file by its name (VERSION, package.json, pyproject.toml, Cargo.toml,
// CMakeLists.txt), or `pattern` itself when given (one capturing group). kInvalid for a
// file of an unknown kind without a pattern.
Result<std::string> VersionPattern(std::string_view path, std::string_view pattern);

// `text` with the version in it replaced by `version`. kInvalid naming the file and the
// pattern when the version is not found.
Result<std::string> BumpText(std::string_view path, std::string_view pattern,
                             std::string_view text, std::string_view version);

// The version the file holds now ("" when not found): for dry runs and messages.
std::string CurrentVersionIn(std::string_view path, std::string_view pattern,
                             std::string_view text);

}  // namespace gauntlet::release
