// Glob patterns over repository-relative paths ("src/**/*.cc"), as written in
// `inputs:`, `artifacts:` and `changes:`. Paths use '/', have no leading "./"
// or '/', and are matched whole (patterns are anchored at the workspace root).
//
//   `*`       any run of characters except '/' (dotfiles included)
//   `?`       one character except '/'
//   `[abc]`   `[a-z]` `[!a-z]` `[^a-z]`: one character of a class, never '/'
//   `{a,b}`   alternatives, nestable: "src/{lib,bin}/**"
//   `**`      as a whole segment: any number of directories, zero included:
//             "**/*.md" matches "README.md" and "docs/a/b.md"; "a/**/b" matches
//             "a/b"; "dir/**" matches every path under dir (not "dir" itself);
//             a lone "**" matches everything. Elsewhere ("a**b") it is a `*`.
//   `dir/`    a trailing '/' means the same as "dir/**".
//   `\x`      the character x, literally.
// Unlike .gitignore, "*.md" matches only at the root (like GitHub Actions
// `paths:`); write "**/*.md" for any depth.
//
// Matching simulates a compiled NFA over the set of live states, so it takes
// O(path length x pattern length) time whatever the pattern: "*a*a*a*a*b"
// cannot backtrack exponentially.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gauntlet {

class Glob {
 public:
  // Longest pattern accepted; keeps the state set of one match small.
  static constexpr size_t kMaxPatternLength = 4096;

  // Errors name the pattern and what is wrong: empty, absolute ("/x"), a ".."
  // segment (a glob must not reach outside the workspace), an unclosed '[' or
  // '{', a stray '}', or a trailing '\'.
  static Result<Glob> Compile(std::string_view pattern);

  // Whether the whole path matches.
  bool Matches(std::string_view path) const;

  // Whether some path under directory `dir` (no trailing '/') could match;
  // false lets a walker prune the directory. "" is the root.
  bool CouldMatchUnder(std::string_view dir) const;

  const std::string& pattern() const { return pattern_; }

 private:
  friend class GlobCompiler;

  // One NFA state: consumes one character (kChar, kAnyButSlash, kAny,
  // kClass), forks without consuming (kSplit), or accepts (kMatch).
  struct State {
    enum class Kind : uint8_t { kChar, kAnyButSlash, kAny, kClass, kSplit, kMatch };
    Kind kind = Kind::kMatch;
    char c = 0;
    int cls = -1;           // index into classes_ for kClass
    int next = -1;          // after consuming (or the only epsilon edge)
    std::vector<int> alts;  // epsilon edges of a kSplit
  };

  // Runs the NFA over `text`; returns the live states after it (closed).
  std::vector<int> Run(std::string_view text) const;
  void AddClosed(int s, std::vector<int>& set, std::vector<uint32_t>& mark, uint32_t gen) const;

  std::string pattern_;
  std::vector<State> states_;
  std::vector<std::bitset<256>> classes_;
  int start_ = 0;
};

// An ordered list of patterns where a leading '!' negates: like .gitignore,
// the last pattern that matches a path decides ("docs/**", "!docs/api/**"
// selects docs except docs/api). A path no pattern matches is not selected.
class GlobSet {
 public:
  static Result<GlobSet> Compile(const std::vector<std::string>& patterns);

  bool Matches(std::string_view path) const;
  // Whether some path under `dir` could be selected (negations ignored: a
  // later positive pattern may re-select what they drop).
  bool CouldMatchUnder(std::string_view dir) const;
  bool empty() const { return globs_.empty(); }

  // Directories every selected path lies under: the leading segments of each positive
  // pattern that hold no wildcard, before its last segment ("src/lib" for
  // "src/lib/**/*.c", "in" for "in/"), without those under another one of the list;
  // {""} (the root) when some pattern starts with a wildcard or names a file at the root.
  // A walker can open these instead of listing the root, whatever else lies there.
  std::vector<std::string> Roots() const;

 private:
  struct Entry {
    Glob glob;
    bool negated;
  };
  std::vector<Entry> globs_;
};

// Compiles `patterns` as a GlobSet and matches `path` (last match wins).
Result<bool> MatchAny(const std::vector<std::string>& patterns, std::string_view path);

// Whether `path` is a clean relative path: non-empty, not absolute, no empty,
// "." or ".." segment, no NUL. Artifact names and walked paths must be.
bool IsCleanRelativePath(std::string_view path);

}  // namespace gauntlet
