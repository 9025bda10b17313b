// The patterns of `on.push` / `on.pull_request` filters (branches, tags, paths and their
// -ignore forms) and whether a ref or a changed file passes them. Pure: the server asks
// these when an event arrives; the loader compiles them to report bad ones at validate time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/glob.h"
#include "core/result.h"

namespace re2 {
class RE2;
}

namespace gauntlet::spec {

// Workflow files use GitHub's filter syntax; gauntlet.yml keeps core/glob.h's globs (which
// also have `{a,b}` and read `?` as one character).
enum class PatternSyntax { kGlob, kGithub };

// GitHub's filter pattern as a regular expression matched whole (docs.github.com, "Filter
// pattern cheat sheet"): `*` any run of characters but '/', `**` any run ("**/" also none
// at all, so "docs/**/*.md" matches "docs/README.md"), `?` zero or one of the character
// before, `+` one or more of it, `[a-z0-9]` one character of a class, `\x` x literally.
// `?` or `+` with nothing before to repeat is literal. Errors name the pattern.
Result<std::string> GithubPatternRegex(std::string_view pattern);

// An ordered list of patterns where a leading '!' excludes: the last pattern that matches a
// value decides, a value none matches is not selected (GitHub's rule for `branches:
// [releases/**, "!releases/**-alpha"]`, and core/glob.h's GlobSet).
class FilterList {
 public:
  static Result<FilterList> Compile(const std::vector<std::string>& patterns,
                                    PatternSyntax syntax);
  bool Matches(std::string_view value) const;
  // Whether every pattern starts with '!' (GitHub requires one that does not).
  bool OnlyNegations() const;

 private:
  struct Entry {
    std::shared_ptr<const re2::RE2> re;  // kGithub
    std::shared_ptr<const Glob> glob;    // kGlob
    bool negated = false;
  };
  std::vector<Entry> entries_;
};

// Compiles and matches in one go; a pattern that does not compile (the loader reported it)
// matches nothing.
bool FilterMatches(const std::vector<std::string>& patterns, PatternSyntax syntax,
                   std::string_view value);

}  // namespace gauntlet::spec
