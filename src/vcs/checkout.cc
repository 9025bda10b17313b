#include "vcs/checkout.h"

#include <algorithm>
#include <filesystem>
#include <cerrno>
#include <fstream>
#include <sstream>

#include <re2/re2.h>

#include "vcs/git_handles.h"

namespace gauntlet::vcs {
namespace {

using Remote = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;

// Fetches every branch, tag and pull request head of `source` into the copy, as its
// origin. Through an anonymous remote, not git_remote_lookup: libgit2 1.5 leaks a pcre2
// match block for each config entry its regular expressions miss while looking a named
// remote up (vcs/publish.cc says more); `source` is origin's url anyway.
Status Fetch(git_repository* repo, const std::string& source) {
  git_remote_create_options create = GIT_REMOTE_CREATE_OPTIONS_INIT;
  create.repository = repo;
  create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  if (git_remote_create_with_opts(&raw, source.c_str(), &create) != 0)
    return GitError("origin of the workspace");
  Remote remote(raw);
  // Pull requests' heads too (a forge keeps a fork's under refs/pull/N/head), so a
  // pull_request event's commit is there to check out.
  const char* specs[] = {"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*",
                         "+refs/pull/*/head:refs/remotes/origin/pull/*"};
  git_strarray refspecs{const_cast<char**>(specs), 3};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.prune = GIT_FETCH_PRUNE;
  if (git_remote_fetch(remote.get(), &refspecs, &opts, nullptr) != 0)
    return GitError("fetching into the workspace");
  return Ok();
}

// A new, empty work tree whose origin is `source` (what git_clone would make, without
// its git_remote_create, which leaks as above): the first Fetch fills it.
Result<git_repository*> CreateWorkspace(const std::string& source, const std::string& dir) {
  git_repository* raw = nullptr;
  if (git_repository_init(&raw, dir.c_str(), /*is_bare=*/0) != 0)
    return GitError("creating the workspace " + dir);
  Repo repo(raw);
  git_config* config_raw = nullptr;
  if (git_repository_config(&config_raw, repo.get()) != 0) return GitError("config of " + dir);
  Config config(config_raw);
  // For people and jobs that run git there: `git fetch` works as in a clone.
  if (git_config_set_string(config.get(), "remote.origin.url", source.c_str()) != 0 ||
      git_config_set_string(config.get(), "remote.origin.fetch",
                            "+refs/heads/*:refs/remotes/origin/*") != 0)
    return GitError("setting origin in " + dir);
  return repo.release();
}

// The workspace's .git/info/exclude holds the declared caches, anchored at the root, so
// the forced checkout's clean of untracked files leaves them. Rewritten only on change.
Status WriteKept(const std::string& dir, const std::vector<std::string>& keep) {
  std::string text;
  if (!keep.empty())
    text = "# gauntlet: the pipeline's caches, kept through the clean of untracked files\n";
  for (const std::string& path : keep) text += "/" + path + "\n";
  const std::string file = dir + "/.git/info/exclude";
  std::ifstream in(file, std::ios::binary);
  std::stringstream was;
  was << in.rdbuf();
  if (in && was.str() == text) return Ok();
  std::error_code ec;
  std::filesystem::create_directories(dir + "/.git/info", ec);
  std::ofstream out(file, std::ios::trunc | std::ios::binary);
  out << text;
  if (!out) return Error::Errno("writing " + file, errno);
  return Ok();
}

}  // namespace

Result<CheckoutStats> CheckoutAt(const std::string& source, const std::string& dir,
                                 const std::string& commit, const std::string& branch,
                                 const std::vector<std::string>* keep) {
  EnsureLibgit2();
  CheckoutStats stats;
  git_repository* raw = nullptr;
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/.git", ec)) {
    std::filesystem::remove_all(dir, ec);
    auto created = CreateWorkspace(source, dir);
    if (!created.ok()) return created.error();
    raw = *created;
    stats.cloned = true;
  } else if (git_repository_open(&raw, dir.c_str()) != 0) {
    return GitError("opening the workspace " + dir);
  }
  Repo repo(raw);
  // A local source lends its objects, as with `git clone --shared`: a pushed commit is
  // visible at once, with no fetch and no copy. Written to objects/info/alternates, so
  // every reader of the workspace (the engine's, git in the jobs) sees them too.
  std::error_code dir_ec;
  const std::string objects = source + "/objects", git_objects = source + "/.git/objects";
  const std::string lender = std::filesystem::is_directory(objects, dir_ec)       ? objects
                             : std::filesystem::is_directory(git_objects, dir_ec) ? git_objects
                                                                                  : "";
  if (!lender.empty()) {
    const std::string path = std::filesystem::absolute(lender, dir_ec).string();
    const std::string file = dir + "/.git/objects/info/alternates";
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line) || line != path) {
      std::filesystem::create_directories(dir + "/.git/objects/info", dir_ec);
      std::ofstream(file, std::ios::trunc) << path << "\n";
    }
    git_odb* odb = nullptr;  // this handle was opened before the file existed
    if (git_repository_odb(&odb, repo.get()) == 0) {
      git_odb_add_disk_alternate(odb, path.c_str());
      git_odb_free(odb);
    }
  }
  git_oid oid;
  // A commit already fetched needs no fetch (a retry, a second pipeline of one push).
  if (git_oid_fromstr(&oid, commit.c_str()) != 0)
    return Error::Invalid("'" + commit + "' is not a commit id");
  git_commit* found = nullptr;
  if (git_commit_lookup(&found, repo.get(), &oid) != 0) {
    if (Status s = Fetch(repo.get(), source); !s.ok()) return s.error();
    if (git_commit_lookup(&found, repo.get(), &oid) != 0)
      return Error::NotFound("commit " + commit + " is not in " + source);
  }
  Commit target(found);
  if (keep) {
    if (Status s = WriteKept(dir, *keep); !s.ok()) return s.error();
  }
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

namespace {

// The repository at `repo_path` (itself, not a parent) and the commit `rev` names in it.
Status OpenAtCommit(const std::string& repo_path, const std::string& rev, Repo* repo,
                    git_oid* oid) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0)
    return GitError("opening " + repo_path);
  repo->reset(raw);
  if (!ResolveCommit(repo->get(), rev, oid))
    return Error::NotFound("no commit '" + rev + "' in " + repo_path);
  return Ok();
}

}  // namespace

Result<CommittedFile> ReadCommittedFile(const std::string& repo_path, const std::string& rev,
                                        const std::string& file) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0)
    return GitError("opening " + repo_path);
  Repo repo(raw);
  CommittedFile out;
  if (rev == "HEAD") {
    git_reference* head_raw = nullptr;
    if (git_repository_head(&head_raw, repo.get()) != 0) return GitError("HEAD of " + repo_path);
    Ref head(head_raw);
    if (git_reference_is_branch(head.get())) out.branch = git_reference_shorthand(head.get());
  }
  git_oid oid;
  if (!ResolveCommit(repo.get(), rev, &oid))
    return Error::NotFound("no commit '" + rev + "' in " + repo_path);
  out.commit = Hex(&oid);
  git_object* blob_raw = nullptr;
  const std::string spec = out.commit + ":" + file;
  if (git_revparse_single(&blob_raw, repo.get(), spec.c_str()) != 0) return out;
  Object blob(blob_raw);
  if (git_object_type(blob.get()) != GIT_OBJECT_BLOB) return out;
  auto* b = reinterpret_cast<git_blob*>(blob.get());
  out.found = true;
  out.content.assign(static_cast<const char*>(git_blob_rawcontent(b)),
                     static_cast<size_t>(git_blob_rawsize(b)));
  return out;
}

Result<std::vector<std::string>> ListCommittedDir(const std::string& repo_path,
                                                  const std::string& rev, const std::string& dir) {
  Repo repo;
  git_oid oid;
  if (Status s = OpenAtCommit(repo_path, rev, &repo, &oid); !s.ok()) return s.error();
  std::vector<std::string> out;
  git_object* tree_raw = nullptr;
  const std::string spec = Hex(&oid) + ":" + dir;
  if (git_revparse_single(&tree_raw, repo.get(), spec.c_str()) != 0) return out;
  Object tree(tree_raw);
  if (git_object_type(tree.get()) != GIT_OBJECT_TREE) return out;
  auto* t = reinterpret_cast<git_tree*>(tree.get());
  for (size_t i = 0; i < git_tree_entrycount(t); ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(t, i);
    if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) out.push_back(git_tree_entry_name(e));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> MergedBranch(const std::string& repo_path, const std::string& commit,
                                 const std::string& into) {
  Repo repo;
  git_oid oid;
  if (Status s = OpenAtCommit(repo_path, commit, &repo, &oid); !s.ok()) return s.error();
  git_commit* c_raw = nullptr;
  if (git_commit_lookup(&c_raw, repo.get(), &oid) != 0) return GitError("reading " + commit);
  Commit c(c_raw);
  if (git_commit_parentcount(c.get()) < 2) return std::string();
  const git_oid* merged = git_commit_parent_id(c.get(), 1);
  git_branch_iterator* it_raw = nullptr;
  std::vector<std::string> heads;
  if (git_branch_iterator_new(&it_raw, repo.get(), GIT_BRANCH_LOCAL) == 0) {
    git_reference* ref = nullptr;
    git_branch_t type;
    while (git_branch_next(&ref, &type, it_raw) == 0) {
      Ref owned(ref);
      const git_oid* target = git_reference_target(owned.get());
      const char* name = git_reference_shorthand(owned.get());
      if (target && name && git_oid_equal(target, merged) && into != name) heads.push_back(name);
    }
    git_branch_iterator_free(it_raw);
  }
  if (!heads.empty()) return *std::min_element(heads.begin(), heads.end());
  static const RE2 kMessages[] = {
      RE2(R"(^Merge (?:remote-tracking )?branch '(?:origin/)?([^']+)')"),
      RE2(R"(^Merge pull request #\d+ from [^/\s]+/(\S+))"),
  };
  const char* message = git_commit_message(c.get());
  std::string name;
  for (const RE2& re : kMessages)
    if (message && RE2::PartialMatch(message, re, &name)) return name;
  return std::string();
}

}  // namespace gauntlet::vcs
