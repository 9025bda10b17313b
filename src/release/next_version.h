// Which version a release makes, from the analysis and the kind of branch HEAD is on.
// Pure.
//
// - release branch (`branches`, default main): the last stable version bumped by the
//   commits since it; the first release starts from 0.0.0.
// - prerelease branch (`prerelease: {next: rc}`): the same target, as TARGET-rc.N, N one
//   more than the highest rc of that target already tagged.
// - maintenance branch (`1.x`, `1.2.x`): as a release branch, but the version must stay in
//   the branch's range: a breaking change on 1.x, or a feature on 1.2.x, is refused.
// - `Release-As: x.y.z` in a commit (the newest wins) or --as VERSION: that version
//   exactly, if it is above the last release.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "release/analyse.h"
#include "spec/model.h"

namespace gauntlet::release {

enum class BranchKind { kRelease, kPrerelease, kMaintenance };

struct BranchRule {
  BranchKind kind = BranchKind::kRelease;
  std::string channel;        // prerelease
  int major = -1, minor = -1;  // maintenance: the range (-1: any)
};

// The rule of `branch`; kInvalid naming the branches that may release when it is none.
Result<BranchRule> RuleFor(const spec::Release& config, const std::string& branch);

struct NextVersion {
  bool releasable = false;
  std::string reason;  // why not, for people and the status file
  Bump bump = Bump::kNone;
  Version version;
  std::optional<Version> previous;  // the last release in HEAD's history (any kind)
};

// `as`: --as VERSION ("" none). kInvalid for a bad or too low Release-As, a version
// outside a maintenance branch's range; kConflict when the version is already tagged.
Result<NextVersion> Decide(const Analysis& analysis, const BranchRule& rule,
                           const std::string& as);

}  // namespace gauntlet::release
