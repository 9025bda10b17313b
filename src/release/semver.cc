#include "release/semver.h"

#include <charconv>

namespace gauntlet::release {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool IdentifierChars(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-';
    if (!ok) return false;
  }
  return true;
}

// A numeric field: digits, no leading zero (semver forbids "01"), fits an int.
bool Number(std::string_view s, int* out) {
  if (!AllDigits(s) || (s.size() > 1 && s[0] == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string_view> SplitDots(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

int CompareIdentifier(const std::string& a, const std::string& b) {
  const bool na = AllDigits(a), nb = AllDigits(b);
  if (na && nb) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  }
  if (na != nb) return na ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

std::string Version::ToString() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  for (size_t i = 0; i < prerelease.size(); ++i) s += (i == 0 ? "-" : ".") + prerelease[i];
  if (!build.empty()) s += "+" + build;
  return s;
}

Version Version::Core() const { return Version{major, minor, patch, {}, ""}; }

Result<Version> ParseVersion(std::string_view text) {
  auto invalid = [&](const std::string& why) {
    return Error::Invalid("'" + std::string(text) + "' is not a semantic version (" + why +
                          "): expected MAJOR.MINOR.PATCH, e.g. 1.4.2 or 2.0.0-rc.1");
  };
  Version v;
  std::string_view rest = text;
  if (size_t plus = rest.find('+'); plus != std::string_view::npos) {
    v.build = std::string(rest.substr(plus + 1));
    for (std::string_view id : SplitDots(v.build))
      if (!IdentifierChars(id)) return invalid("bad build metadata");
    rest = rest.substr(0, plus);
  }
  if (size_t dash = rest.find('-'); dash != std::string_view::npos) {
    for (std::string_view id : SplitDots(rest.substr(dash + 1))) {
      if (!IdentifierChars(id)) return invalid("bad prerelease identifier");
      if (AllDigits(id) && id.size() > 1 && id[0] == '0')
        return invalid("numeric prerelease identifier with a leading zero");
      v.prerelease.emplace_back(id);
    }
    rest = rest.substr(0, dash);
  }
  const auto core = SplitDots(rest);
  if (core.size() != 3) return invalid("three numbers separated by dots are needed");
  if (!Number(core[0], &v.major) || !Number(core[1], &v.minor) || !Number(core[2], &v.patch))
    return invalid("each of MAJOR, MINOR, PATCH is a number without leading zeros");
  return v;
}

int Compare(const Version& a, const Version& b) {
  for (auto [x, y] : {std::pair{a.major, b.major}, {a.minor, b.minor}, {a.patch, b.patch}}) {
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.stable() || b.stable()) return a.stable() == b.stable() ? 0 : (a.stable() ? 1 : -1);
  const size_t n = std::min(a.prerelease.size(), b.prerelease.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = CompareIdentifier(a.prerelease[i], b.prerelease[i]); c != 0) return c;
  }
  if (a.prerelease.size() == b.prerelease.size()) return 0;
  return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
}

std::string_view ToString(Bump b) {
  switch (b) {
    case Bump::kNone: return "none";
    case Bump::kPatch: return "patch";
    case Bump::kMinor: return "minor";
    case Bump::kMajor: return "major";
  }
  return "none";
}

Version Apply(const Version& from, Bump bump) {
  Version v = from.Core();
  if (bump == Bump::kMajor && v.major == 0) bump = Bump::kMinor;
  switch (bump) {
    case Bump::kNone: break;
    case Bump::kPatch: v.patch += 1; break;
    case Bump::kMinor: v.minor += 1, v.patch = 0; break;
    case Bump::kMajor: v.major += 1, v.minor = 0, v.patch = 0; break;
  }
  return v;
}

Version NextPrerelease(const Version& target, const std::string& channel,
                       const std::vector<Version>& existing) {
  int highest = 0;
  const Version core = target.Core();
  for (const Version& e : existing) {
    if (e.prerelease.size() != 2 || e.prerelease[0] != channel || !(e.Core() == core)) continue;
    int n = 0;
    if (Number(e.prerelease[1], &n) && n > highest) highest = n;
  }
  Version v = core;
  v.prerelease = {channel, std::to_string(highest + 1)};
  return v;
}

}  // namespace gauntlet::release
