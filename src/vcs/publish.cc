#include "vcs/publish.h"

#include <algorithm>

#include "vcs/git_handles.h"

namespace gauntlet::vcs {
namespace {

using Index = std::unique_ptr<git_index, GitDeleter<git_index, git_index_free>>;
using Signature = std::unique_ptr<git_signature, GitDeleter<git_signature, git_signature_free>>;
using Remote = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;

Result<Signature> Author(git_repository* repo) {
  git_signature* raw = nullptr;
  if (git_signature_default(&raw, repo) == 0) return Signature(raw);
  if (git_signature_now(&raw, "gauntlet", "gauntlet@localhost") != 0)
    return GitError("make a signature");
  return Signature(raw);
}

// A named remote (its url from the config), else an anonymous one for a URL or path.
// Neither git_remote_lookup nor url.*.insteadOf: libgit2 1.5 leaks a pcre2 match block
// for each config entry a regular expression is tried on and misses (regexp.c returns
// before freeing it), and both scan the config with one.
Result<Remote> FindRemote(git_repository* repo, const std::string& remote) {
  std::string url = remote;
  git_config* raw_config = nullptr;
  if (git_repository_config_snapshot(&raw_config, repo) == 0) {
    Config config(raw_config);
    const char* value = nullptr;
    if (git_config_get_string(&value, config.get(), ("remote." + remote + ".url").c_str()) == 0)
      url = value;
  }
  git_remote_create_options opts = GIT_REMOTE_CREATE_OPTIONS_INIT;
  opts.repository = repo;
  opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  if (git_remote_create_with_opts(&raw, url.c_str(), &opts) == 0) return Remote(raw);
  return GitError("remote " + remote);
}

}  // namespace

Result<std::string> CommitFiles(const std::string& path, const std::vector<std::string>& files,
                                const std::string& message) {
  auto repo = OpenRepository(path);
  if (!repo.ok()) return repo.error();
  git_index* raw_index = nullptr;
  if (git_repository_index(&raw_index, repo->get()) != 0) return GitError("read the index");
  Index index(raw_index);
  for (const std::string& f : files) {
    if (git_index_add_bypath(index.get(), f.c_str()) != 0) return GitError("stage " + f);
  }
  if (git_index_write(index.get()) != 0) return GitError("write the index");
  git_oid tree_id;
  if (git_index_write_tree(&tree_id, index.get()) != 0) return GitError("write the tree");
  git_tree* raw_tree = nullptr;
  if (git_tree_lookup(&raw_tree, repo->get(), &tree_id) != 0) return GitError("read the tree");
  Tree tree(raw_tree);
  git_oid head_id;
  if (!ResolveCommit(repo->get(), "HEAD", &head_id)) return GitError("resolve HEAD");
  git_commit* raw_parent = nullptr;
  if (git_commit_lookup(&raw_parent, repo->get(), &head_id) != 0) return GitError("read HEAD");
  Commit parent(raw_parent);
  auto sig = Author(repo->get());
  if (!sig.ok()) return sig.error();
  const git_commit* parents[] = {parent.get()};
  git_oid id;
  if (git_commit_create(&id, repo->get(), "HEAD", sig->get(), sig->get(), nullptr,
                        message.c_str(), tree.get(), 1, parents) != 0)
    return GitError("commit");
  return Hex(&id);
}

Status CreateTag(const std::string& path, const std::string& name, const std::string& commit,
                 const std::string& message) {
  auto repo = OpenRepository(path);
  if (!repo.ok()) return repo.error();
  git_oid id;
  if (git_oid_fromstr(&id, commit.c_str()) != 0) return Error::Invalid("bad commit id " + commit);
  git_object* raw = nullptr;
  if (git_object_lookup(&raw, repo->get(), &id, GIT_OBJECT_COMMIT) != 0)
    return GitError("read commit " + commit);
  Object target(raw);
  auto sig = Author(repo->get());
  if (!sig.ok()) return sig.error();
  git_oid tag_id;
  const int rc = git_tag_create(&tag_id, repo->get(), name.c_str(), target.get(), sig->get(),
                                message.c_str(), /*force=*/0);
  if (rc == GIT_EEXISTS) return Error::Conflict("tag " + name + " already exists");
  if (rc != 0) return GitError("create tag " + name);
  return Ok();
}

Result<std::string> RemoteBranchHead(const std::string& path, const std::string& remote,
                                     const std::string& branch) {
  auto repo = OpenRepository(path);
  if (!repo.ok()) return repo.error();
  auto r = FindRemote(repo->get(), remote);
  if (!r.ok()) return r.error();
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  if (git_remote_connect(r->get(), GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr) != 0)
    return Error::Unavailable(GitError("connect to " + remote).message);
  const git_remote_head** heads = nullptr;
  size_t n = 0;
  if (git_remote_ls(&heads, &n, r->get()) != 0) return GitError("list " + remote);
  const std::string want = "refs/heads/" + branch;
  std::string found;
  for (size_t i = 0; i < n; ++i)
    if (want == heads[i]->name) found = Hex(&heads[i]->oid);
  git_remote_disconnect(r->get());
  return found;
}

Status Push(const std::string& path, const std::string& remote,
            const std::vector<std::string>& refspecs) {
  auto repo = OpenRepository(path);
  if (!repo.ok()) return repo.error();
  auto r = FindRemote(repo->get(), remote);
  if (!r.ok()) return r.error();
  std::string rejected;
  git_push_options opts = GIT_PUSH_OPTIONS_INIT;
  opts.callbacks.payload = &rejected;
  opts.callbacks.push_update_reference = [](const char* ref, const char* status,
                                            void* payload) -> int {
    if (status != nullptr) *static_cast<std::string*>(payload) += std::string(ref) + ": " + status;
    return 0;
  };
  std::vector<char*> specs;
  for (const std::string& s : refspecs) specs.push_back(const_cast<char*>(s.c_str()));
  git_strarray array{specs.data(), specs.size()};
  if (git_remote_push(r->get(), &array, &opts) != 0)
    return Error::Unavailable(GitError("push to " + remote).message);
  if (!rejected.empty()) return Error::Conflict(remote + " rejected " + rejected);
  return Ok();
}

}  // namespace gauntlet::vcs
