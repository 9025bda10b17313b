// Small text helpers shared by the diagnostics parsers and report readers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::gate {

// The lines of `text` without their terminators ("\n" or "\r\n").
std::vector<std::string_view> SplitLines(std::string_view text);

// `text` without ANSI escape sequences (tools that colour their output even
// when told not to, tsc --pretty).
std::string StripAnsi(std::string_view text);

// `path` relative to `root` when it lies under it ("./" prefixes dropped);
// otherwise unchanged. `root` empty: only "./" is dropped.
std::string RelativePath(std::string_view path, std::string_view root);

// A decimal integer, or `fallback` when `s` is not one.
int ToInt(std::string_view s, int fallback = 0);

// `s` without leading and trailing blanks (spaces, tabs, newlines).
std::string_view Trim(std::string_view s);

// Appends `line` to `excerpt`, newline-separated.
void AppendLine(std::string& excerpt, std::string_view line);

}  // namespace gauntlet::gate
