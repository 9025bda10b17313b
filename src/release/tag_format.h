// Tag formats: `v{version}` (the default), `api@v{version}` for a package of a monorepo.
// The text around `{version}` is fixed; what stands in its place must be a semantic
// version. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "release/semver.h"

namespace gauntlet::release {

inline constexpr std::string_view kDefaultTagFormat = "v{version}";

// kInvalid unless `format` holds `{version}` exactly once and is a valid ref name part
// (no spaces, '~', '^', ':', '?', '*', '[', '\\', "..").
Status CheckTagFormat(std::string_view format);

// The tag of `version` ("api@v1.2.0").
std::string FormatTag(std::string_view format, const Version& version);

// The version a tag names under `format`; none when the tag does not fit it (another
// package's tag, a tag that is not a release).
std::optional<Version> MatchTag(std::string_view format, std::string_view tag);

}  // namespace gauntlet::release
