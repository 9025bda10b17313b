// Semantic versions (semver.org 2.0): parsing, precedence (prereleases included) and the
// bump a set of changes asks for. Pure: no git, no files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gauntlet::release {

struct Version {
  int major = 0, minor = 0, patch = 0;
  // Dot-separated identifiers after '-' ("rc", "2"); empty for a stable version.
  std::vector<std::string> prerelease;
  std::string build;  // after '+': kept in the text, ignored in ordering

  bool stable() const { return prerelease.empty(); }
  std::string ToString() const;
  // The same version without prerelease and build ("1.2.0" of "1.2.0-rc.3").
  Version Core() const;
};

// "1.2.3", "1.2.3-rc.1", "1.2.3+build.5"; a leading 'v' is not accepted here (tag formats
// carry it). kInvalid with what would be valid.
Result<Version> ParseVersion(std::string_view text);

// Semver precedence: <0, 0, >0. Build metadata is ignored; a prerelease sorts before its
// stable version; numeric identifiers compare as numbers and before alphanumeric ones.
int Compare(const Version& a, const Version& b);
inline bool operator<(const Version& a, const Version& b) { return Compare(a, b) < 0; }
inline bool operator==(const Version& a, const Version& b) { return Compare(a, b) == 0; }

// What the commits since the last release ask for, in increasing order.
enum class Bump { kNone, kPatch, kMinor, kMajor };
std::string_view ToString(Bump b);  // "none", "patch", "minor", "major"

// The stable version after `from` for `bump`: a breaking change below 1.0.0 bumps the
// minor number (0.x is still unstable, as semver allows), not the major. `from` being
// a prerelease is taken at its core ("1.2.0-rc.2" + patch -> "1.2.1").
Version Apply(const Version& from, Bump bump);

// The prerelease `target-channel.N` after the tags already made: N is one more than the
// highest N among `existing` with the same core and channel (1 when none).
Version NextPrerelease(const Version& target, const std::string& channel,
                       const std::vector<Version>& existing);

}  // namespace gauntlet::release
