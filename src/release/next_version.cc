#include "release/next_version.h"

#include <algorithm>
#include <charconv>

#include "core/strings.h"

namespace gauntlet::release {
namespace {

// "1.x" -> {1, -1}; "1.2.x" -> {1, 2} (the loader checked the form).
BranchRule MaintenanceRule(const std::string& name) {
  BranchRule rule{BranchKind::kMaintenance, "", -1, -1};
  const char* p = name.data();
  const char* end = name.data() + name.size();
  auto r = std::from_chars(p, end, rule.major);
  if (r.ptr + 1 < end && r.ptr[1] != 'x') std::from_chars(r.ptr + 1, end, rule.minor);
  return rule;
}

std::string Describe(const BranchRule& rule) {
  return std::to_string(rule.major) + (rule.minor >= 0 ? "." + std::to_string(rule.minor) : "") +
         ".x";
}

}  // namespace

Result<BranchRule> RuleFor(const spec::Release& config, const std::string& branch) {
  if (std::find(config.branches.begin(), config.branches.end(), branch) != config.branches.end())
    return BranchRule{};
  for (const auto& p : config.prerelease)
    if (p.branch == branch) return BranchRule{BranchKind::kPrerelease, p.channel};
  for (const auto& m : config.maintenance)
    if (m == branch) return MaintenanceRule(m);
  std::vector<std::string> all = config.branches;
  for (const auto& p : config.prerelease) all.push_back(p.branch + " (prerelease)");
  for (const auto& m : config.maintenance) all.push_back(m + " (maintenance)");
  return Error::Invalid("branch '" + branch + "' does not release: release branches are " +
                        JoinComma(all) + " (release: branches, prerelease, maintenance)");
}

Result<NextVersion> Decide(const Analysis& a, const BranchRule& rule, const std::string& as) {
  NextVersion next;
  if (a.last) next.previous = a.last->version;
  const std::string last_tag = a.last ? a.last->tag : "the first commit";
  std::string release_as = as;
  for (auto it = a.commits.rbegin(); release_as.empty() && it != a.commits.rend(); ++it)
    release_as = it->release_as;
  if (a.commits_since_last == 0 && as.empty()) {
    next.reason = "no commits since " + last_tag;
    return next;
  }
  next.bump = BumpOf(a.commits);
  const Version base = a.last_stable ? a.last_stable->version : Version{};
  Version target;
  if (!release_as.empty()) {
    auto v = ParseVersion(release_as);
    if (!v.ok()) return Error::Invalid("Release-As: " + v.error().message);
    if (!(base < *v) || (a.last && !(a.last->version < *v)))
      return Error::Invalid("Release-As " + v->ToString() + " is not above the last release " +
                            (a.last ? a.last->version.ToString() : base.ToString()));
    target = *v;
  } else if (next.bump == Bump::kNone) {
    next.reason = "no feat, fix, perf or breaking commit since " + last_tag + " (" +
                  std::to_string(a.commits_since_last) + " commit(s) of other types)";
    return next;
  } else {
    target = Apply(base, next.bump);
  }
  if (rule.kind == BranchKind::kMaintenance &&
      (target.major != rule.major || (rule.minor >= 0 && target.minor != rule.minor)))
    return Error::Invalid("maintenance branch " + Describe(rule) + " cannot release " +
                          target.ToString() + " (a " + std::string(ToString(next.bump)) +
                          " change): only versions in " + Describe(rule) + " are made there");
  next.version = rule.kind == BranchKind::kPrerelease
                     ? NextPrerelease(target, rule.channel, a.tagged)
                     : target;
  if (std::find(a.tagged.begin(), a.tagged.end(), next.version) != a.tagged.end())
    return Error::Conflict("version " + next.version.ToString() +
                           " is already tagged (on another branch?): nothing is overwritten");
  next.releasable = true;
  return next;
}

}  // namespace gauntlet::release
