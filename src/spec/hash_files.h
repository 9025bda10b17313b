// `hashFiles(pattern, ...)` of GitHub Actions expressions (docs/expressions.md): a hash
// of the files under a directory that the patterns match, for cache keys.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace gauntlet::spec {

// GitHub's algorithm: the files under `root` that match the patterns (core/glob.h's
// syntax, a leading ! excludes), in path order; the SHA-256 of the concatenated SHA-256
// digests of their contents, as 64 hex digits; "" when no file matches. `.git` and
// `.gauntlet` are never searched. Errors: a bad pattern, an unreadable file.
Result<std::string> HashFiles(const std::string& root, const std::vector<std::string>& patterns);

}  // namespace gauntlet::spec
