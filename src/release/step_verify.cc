// Steps "verify" (may this commit be released from here?) and "analyse" (which
// version, from which commits?).
#include "release/changelog.h"
#include "release/flow.h"
#include "release/tag_format.h"
#include "vcs/publish.h"
#include "vcs/repo.h"

namespace gauntlet::release {

Status Verify(Flow& f) {
  f.Begin("verify");
  auto fail = [&](Error e) -> Status {
    (void)f.End("verify", "failed", e.message);
    return e;
  };
  auto rule = RuleFor(f.config, f.state.branch);
  if (!rule.ok()) return fail(Error::Conflict(rule.error().message));
  f.rule = *rule;
  auto dirty = vcs::WorkTreeDirty(f.repo_root);
  if (!dirty.ok()) return fail(dirty.error());
  if (*dirty)
    return fail(Error::Conflict("the work tree has uncommitted changes: commit or stash them "
                                "(a release is made of a commit, nothing else)"));
  std::string detail = "branch " + f.state.branch;
  // A resumed release's commit is not on the remote yet: the push step checks it then.
  if (!f.config.remote.empty() && !f.resumed) {
    auto remote_head = vcs::RemoteBranchHead(f.repo_root, f.config.remote, f.state.branch);
    if (!remote_head.ok()) return fail(remote_head.error());
    if (*remote_head != f.state.head)
      return fail(Error::Conflict(
          "HEAD " + f.state.head.substr(0, 7) + " is not " + f.config.remote + "'s " +
          f.state.branch + " (" + (remote_head->empty() ? "absent" : remote_head->substr(0, 7)) +
          "): pull or push first, so the release is of what everyone has"));
    detail += ", equal to " + f.config.remote;
  }
  return f.End("verify", "ok", detail);
}

Status AnalyseStep(Flow& f) {
  f.Begin("analyse");
  AnalyseOptions opts{f.repo_root, f.target.tag_format, f.target.path, true};
  auto a = Analyse(opts);
  if (!a.ok()) {
    (void)f.End("analyse", "failed", a.error().message);
    return a.error();
  }
  f.analysis = std::move(*a);
  auto next = Decide(f.analysis, f.rule, f.req.as);
  if (!next.ok()) {
    (void)f.End("analyse", "failed", next.error().message);
    return next.error();
  }
  f.next = *next;
  f.state.bump = std::string(ToString(next->bump));
  if (next->previous) f.state.previous_version = next->previous->ToString();
  const std::string counted = std::to_string(f.analysis.commits.size()) + " commit(s) since " +
                              (f.analysis.last ? f.analysis.last->tag : "the beginning");
  if (!next->releasable) {
    f.state.status = "nothing_to_release";
    f.state.reason = next->reason;
    return f.End("analyse", "ok", next->reason);
  }
  f.state.version = next->version.ToString();
  f.state.tag = FormatTag(f.target.tag_format, next->version);
  f.state.changelog = ChangelogSection(f.state.tag, FormatUtc(f.clock->UnixMs(), "%Y-%m-%d"),
                                       f.analysis.commits);
  return f.End("analyse", "ok", counted + ": " + f.state.bump + " -> " + f.state.version);
}

}  // namespace gauntlet::release
