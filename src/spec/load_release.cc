// The `release:` section (docs/release.md): typed at the edge, every mistake located.
#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "core/strings.h"
#include "spec/cron_check.h"
#include "spec/load_internal.h"

namespace gauntlet::spec {
namespace {

const std::vector<std::string> kReleaseKeys = {
    "tag_format", "branches", "prerelease", "maintenance", "bump",     "changelog", "quality",
    "environment", "remote",  "gate",       "packages",    "schedule", "when",
    "timezone",   "approval"};
const std::vector<std::string> kPackageKeys = {"path", "tag_format", "bump", "changelog"};

void ReadTagFormat(LoadState& s, const YamlNode* n, std::string* out) {
  if (!s.reader.String(n, out)) return;
  if (std::string why = TagFormatProblem(*out); !why.empty())
    s.reader.Error(n, why, "e.g. v{version}, or api@v{version} for a package");
}

// A file name, or {file, pattern} with a pattern of one capturing group.
void ReadBump(LoadState& s, const YamlNode* n, std::vector<ReleaseFile>* out) {
  if (!n->is_sequence()) {
    s.reader.TypeError(n, "a list of files", "bump: [VERSION, package.json]");
    return;
  }
  for (const YamlNode* item : n->items) {
    ReleaseFile f;
    f.loc = s.reader.Loc(item);
    if (item->is_map()) {
      const YamlNode* pattern_node = nullptr;
      s.reader.ForEach(item, "a bump entry", {"file", "pattern"},
                       [&](const std::string& key, const YamlNode*, const YamlNode* v) {
                         if (key == "file") s.reader.String(v, &f.path);
                         if (key == "pattern") s.reader.String(v, &f.pattern), pattern_node = v;
                       });
      if (f.path.empty()) s.reader.Error(item, "a bump entry needs file:", "{file: x, pattern: y}");
      if (pattern_node != nullptr && !f.pattern.empty()) {
        RE2 re(f.pattern, RE2::Quiet);
        if (!re.ok() || re.NumberOfCapturingGroups() != 1)
          s.reader.Error(pattern_node,
                         "pattern must be a regular expression with exactly one capturing group" +
                             (re.ok() ? std::string() : " (" + re.error() + ")"),
                         "the group is the version: 'VERSION = \"([^\"]+)\"'");
      }
    } else if (s.reader.String(item, &f.path)) {
      static const std::set<std::string> kKnown = {"VERSION", "package.json", "pyproject.toml",
                                                   "Cargo.toml", "CMakeLists.txt"};
      const size_t slash = f.path.rfind('/');
      if (!kKnown.count(slash == std::string::npos ? f.path : f.path.substr(slash + 1)))
        s.reader.Error(item, "gauntlet does not know where the version is in '" + f.path + "'",
                       "known: VERSION, package.json, pyproject.toml, Cargo.toml, "
                       "CMakeLists.txt; else {file: " + f.path + ", pattern: '...(group)...'}");
    }
    if (!f.path.empty()) out->push_back(std::move(f));
  }
}

// "1.x" or "1.2.x": the branch's name says which releases it may make.
void ReadMaintenance(LoadState& s, const YamlNode* n, std::vector<std::string>* out) {
  static const RE2 kRange(R"((0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?\.x)");
  if (!s.reader.StringList(n, out, true)) return;
  for (size_t i = 0; i < out->size(); ++i) {
    if (!RE2::FullMatch((*out)[i], kRange))
      s.reader.Error(n->is_sequence() ? n->items[i] : n,
                     "maintenance branch '" + (*out)[i] + "' is not a version range",
                     "name maintenance branches MAJOR.x or MAJOR.MINOR.x, e.g. 1.x or 2.3.x");
  }
}

// {next: rc} (branch: channel) or [next] (channel rc).
void ReadPrerelease(LoadState& s, const YamlNode* n, std::vector<PrereleaseBranch>* out) {
  static const RE2 kChannel(R"([0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*)");
  if (n->is_map()) {
    s.reader.ForEach(n, "release.prerelease", {},
                     [&](const std::string& branch, const YamlNode*, const YamlNode* v) {
                       PrereleaseBranch b{branch, ""};
                       if (!s.reader.String(v, &b.channel)) return;
                       if (!RE2::FullMatch(b.channel, kChannel))
                         s.reader.Error(v, "prerelease channel '" + b.channel +
                                               "' is not a semver identifier",
                                        "letters, digits and '-', not only digits: rc, beta");
                       out->push_back(b);
                     });
    return;
  }
  std::vector<std::string> names;
  if (!s.reader.StringList(n, &names, true)) return;
  for (auto& b : names) out->push_back({b, "rc"});
}

void ReadPackages(LoadState& s, const YamlNode* n, Release* r) {
  s.reader.ForEach(n, "release.packages", {},
                   [&](const std::string& name, const YamlNode* k, const YamlNode* v) {
    ReleasePackage p;
    p.name = name;
    p.loc = s.reader.Loc(k);
    p.tag_format = name + "@v{version}";
    s.reader.ForEach(v, "a release package", kPackageKeys,
                     [&](const std::string& key, const YamlNode*, const YamlNode* w) {
                       if (key == "path") s.reader.String(w, &p.path);
                       if (key == "tag_format") ReadTagFormat(s, w, &p.tag_format);
                       if (key == "bump") ReadBump(s, w, &p.bump);
                       if (key == "changelog") s.reader.String(w, &p.changelog);
                     });
    while (p.path.size() > 1 && p.path.back() == '/') p.path.pop_back();
    if (p.path.empty() || p.path.starts_with("/") || p.path.find("..") != std::string::npos)
      s.reader.Error(v, "package '" + name + "' needs path: inside the repository",
                     "path: services/" + name);
    r->packages.push_back(std::move(p));
  });
}

}  // namespace

std::string TagFormatProblem(std::string_view format) {
  constexpr std::string_view kVersion = "{version}";
  const size_t at = format.find(kVersion);
  if (at == std::string_view::npos || format.find(kVersion, at + 1) != std::string_view::npos)
    return "tag format '" + std::string(format) + "' must contain {version} exactly once";
  for (char c : format) {
    if (c <= ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '[' ||
        c == '\\' || c == 0x7f)
      return "tag format '" + std::string(format) + "' has '" + std::string(1, c) +
             "', which git does not allow in a tag name";
  }
  if (format.find("..") != std::string_view::npos || format.front() == '/' ||
      format.front() == '-' || format.ends_with(".lock"))
    return "tag format '" + std::string(format) + "' does not make valid git tag names";
  return "";
}

void ReadRelease(LoadState& s, const YamlNode* n) {
  Release& r = s.pipeline.release;
  r.present = true;
  r.loc = s.reader.Loc(n);
  if (n->is_null()) return;
  s.reader.ForEach(n, "release", kReleaseKeys,
                   [&](const std::string& key, const YamlNode*, const YamlNode* v) {
    if (key == "tag_format") ReadTagFormat(s, v, &r.tag_format);
    if (key == "branches") s.reader.StringList(v, &r.branches, true);
    if (key == "prerelease") ReadPrerelease(s, v, &r.prerelease);
    if (key == "maintenance") ReadMaintenance(s, v, &r.maintenance);
    if (key == "bump") ReadBump(s, v, &r.bump);
    if (key == "changelog") s.reader.String(v, &r.changelog);
    if (key == "quality") s.reader.LocatedList(v, &r.quality, true);
    if (key == "environment" && s.reader.String(v, &r.environment.value))
      r.environment.loc = s.reader.Loc(v);
    if (key == "remote") s.reader.String(v, &r.remote);
    if (key == "gate") s.reader.Enum(v, &r.gate, "gate", {"off", "reject", "approval"});
    if (key == "approval") s.reader.Enum(v, &r.approval, "approval", {"wait", "stop"});
    if (key == "packages") ReadPackages(s, v, &r);
    if (key == "when") s.reader.Enum(v, &r.when, "when", {"green", "always"});
    if (key == "schedule" && s.reader.String(v, &r.schedule)) {
      if (auto bad = CheckCron(r.schedule))
        s.reader.problems()->Error(s.reader.LocAt(v, bad->offset), bad->message, bad->hint);
    }
    if (key == "timezone" && s.reader.String(v, &r.timezone)) {
      if (!KnownZone(r.timezone))
        s.reader.Error(v, "unknown time zone '" + r.timezone + "'",
                       "an IANA name such as Europe/Berlin or America/New_York, or UTC (the "
                       "default)");
      if (r.timezone == "UTC") r.timezone.clear();
    }
  });
}

void CheckReleaseNames(const Pipeline& p, Problems* problems) {
  if (!p.release.present) return;
  std::vector<std::string> names;
  for (const Job& j : p.jobs) names.push_back(j.name);
  for (const Stage& st : p.stages) names.push_back(st.name);
  for (const Located& q : p.release.quality) {
    if (std::find(names.begin(), names.end(), q.value) != names.end()) continue;
    const std::string guess = DidYouMean(q.value, names);
    problems->Error(q.loc, "release quality '" + q.value + "' is neither a job nor a stage",
                    guess.empty() ? "jobs and stages: " + JoinComma(names)
                                  : "did you mean '" + guess + "'?");
  }
  const Located& env = p.release.environment;
  if (!env.value.empty() && p.FindEnvironment(env.value) == nullptr) {
    std::vector<std::string> envs;
    for (const Environment& e : p.environments) envs.push_back(e.name);
    problems->Error(env.loc, "release environment '" + env.value +
                                 "' is not defined under environments:",
                    envs.empty() ? "define it under environments:"
                                 : "environments defined: " + JoinComma(envs));
  }
}

}  // namespace gauntlet::spec
