#include "vcs/checkout.h"

#include <filesystem>

#include "vcs/git_handles.h"

namespace gauntlet::vcs {
namespace {

using Remote = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;

// Fetches every branch and tag of origin into the copy (remote branches, tags).
Status Fetch(git_repository* repo) {
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, repo, "origin") != 0) return GitError("origin of the workspace");
  Remote remote(raw);
  const char* specs[] = {"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"};
  git_strarray refspecs{const_cast<char**>(specs), 2};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.prune = GIT_FETCH_PRUNE;
  if (git_remote_fetch(remote.get(), &refspecs, &opts, nullptr) != 0)
    return GitError("fetching into the workspace");
  return Ok();
}

}  // namespace

Result<CheckoutStats> CheckoutAt(const std::string& source, const std::string& dir,
                                 const std::string& commit, const std::string& branch) {
  EnsureLibgit2();
  CheckoutStats stats;
  git_repository* raw = nullptr;
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/.git", ec)) {
    std::filesystem::remove_all(dir, ec);
    git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
    opts.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
    if (git_clone(&raw, source.c_str(), dir.c_str(), &opts) != 0)
      return GitError("cloning " + source + " into " + dir);
    stats.cloned = true;
  } else if (git_repository_open(&raw, dir.c_str()) != 0) {
    return GitError("opening the workspace " + dir);
  }
  Repo repo(raw);
  git_oid oid;
  // A commit already fetched needs no fetch (a retry, a second pipeline of one push).
  if (git_oid_fromstr(&oid, commit.c_str()) != 0)
    return Error::Invalid("'" + commit + "' is not a commit id");
  git_commit* found = nullptr;
  if (git_commit_lookup(&found, repo.get(), &oid) != 0) {
    if (Status s = Fetch(repo.get()); !s.ok()) return s.error();
    if (git_commit_lookup(&found, repo.get(), &oid) != 0)
      return Error::NotFound("commit " + commit + " is not in " + source);
  }
  Commit target(found);
  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_REMOVE_UNTRACKED;
  if (git_checkout_tree(repo.get(), reinterpret_cast<git_object*>(target.get()), &co) != 0)
    return GitError("checking out " + commit);
  // Detached first: libgit2 will not move the branch HEAD is on.
  if (git_repository_set_head_detached(repo.get(), &oid) != 0)
    return GitError("detaching HEAD at " + commit);
  if (!branch.empty()) {
    git_reference* ref = nullptr;
    if (git_branch_create(&ref, repo.get(), branch.c_str(), target.get(), /*force=*/1) != 0)
      return GitError("setting branch " + branch + " to " + commit);
    Ref owned(ref);
    if (git_repository_set_head(repo.get(), git_reference_name(ref)) != 0)
      return GitError("pointing HEAD at " + branch);
  }
  stats.commit = Hex(&oid);
  return stats;
}

Result<std::string> ResolveRevision(const std::string& path, const std::string& rev) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, path.c_str(), 0, nullptr) != 0)
    return GitError("opening " + path);
  Repo repo(raw);
  git_oid oid;
  if (!ResolveCommit(repo.get(), rev, &oid))
    return Error::NotFound("no commit '" + rev + "' in " + path);
  return Hex(&oid);
}

}  // namespace gauntlet::vcs
