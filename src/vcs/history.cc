#include "vcs/history.h"

#include <algorithm>
#include <string_view>

#include "vcs/git_handles.h"

namespace gauntlet::vcs {
namespace {

using Revwalk = std::unique_ptr<git_revwalk, GitDeleter<git_revwalk, git_revwalk_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, GitDeleter<git_tree_entry, git_tree_entry_free>>;

// The id of what `path` is in the commit's tree (zero when it is absent). Comparing two
// of these is how a commit is found to touch a path, without computing a diff.
git_oid EntryAt(git_commit* commit, const std::string& path) {
  git_oid none{};
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0) return none;
  Tree tree(raw_tree);
  if (path.empty()) return *git_tree_id(tree.get());
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree.get(), path.c_str()) != 0) return none;
  TreeEntry entry(raw);
  return *git_tree_entry_id(entry.get());
}

bool Touches(git_commit* commit, const std::string& path) {
  const git_oid here = EntryAt(commit, path);
  if (git_commit_parentcount(commit) == 0) return !git_oid_is_zero(&here);
  git_commit* raw = nullptr;
  if (git_commit_parent(&raw, commit, 0) != 0) return true;
  Commit parent(raw);
  const git_oid before = EntryAt(parent.get(), path);
  return git_oid_cmp(&here, &before) != 0;
}

}  // namespace

Result<std::vector<TagRef>> ListTags(const std::string& path) {
  auto repo = OpenRepository(path);
  if (!repo.ok()) return repo.error();
  std::vector<TagRef> tags;
  struct Ctx {
    git_repository* repo;
    std::vector<TagRef>* tags;
  } ctx{repo->get(), &tags};
  auto each = [](const char* name, git_oid* oid, void* payload) -> int {
    auto* c = static_cast<Ctx*>(payload);
    git_object* raw = nullptr;
    if (git_object_lookup(&raw, c->repo, oid, GIT_OBJECT_ANY) != 0) return 0;
    Object obj(raw);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) != 0) return 0;  // a tree tag
    Object commit(peeled);
    c->tags->push_back({std::string(name).substr(10), Hex(git_object_id(commit.get()))});
    return 0;
  };
  if (git_tag_foreach(repo->get(), each, &ctx) != 0) return GitError("list tags");
  return tags;
}

Result<CommitsSinceResult> CommitsSince(const std::string& path, const std::string& since,
                                        const std::string& only_path) {
  auto repo = OpenRepository(path);
  if (!repo.ok()) return repo.error();
  git_oid head;
  if (!ResolveCommit(repo->get(), "HEAD", &head)) return GitError("resolve HEAD");
  git_revwalk* raw = nullptr;
  if (git_revwalk_new(&raw, repo->get()) != 0) return GitError("walk history");
  Revwalk walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_NONE);
  if (git_revwalk_push(walk.get(), &head) != 0) return GitError("walk from HEAD");
  CommitsSinceResult result;
  git_oid base{};
  if (!since.empty()) {
    if (git_oid_fromstr(&base, since.c_str()) != 0 || git_revwalk_hide(walk.get(), &base) != 0)
      return GitError("walk to " + since);
    result.since_in_history = git_oid_equal(&base, &head);
  }
  const std::string parent_line = "\nparent " + since;
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, repo->get()) != 0) return GitError("open the object store");
  const std::unique_ptr<git_odb, GitDeleter<git_odb, git_odb_free>> odb(raw_odb);
  std::vector<LogCommit>& out = result.commits;
  git_oid id;
  while (git_revwalk_next(&id, walk.get()) == 0) {
    git_odb_object* raw_obj = nullptr;
    if (git_odb_read(&raw_obj, odb.get(), &id) != 0) return GitError("read commit " + Hex(&id));
    const std::unique_ptr<git_odb_object, GitDeleter<git_odb_object, git_odb_object_free>> obj(
        raw_obj);
    const std::string_view data(static_cast<const char*>(git_odb_object_data(obj.get())),
                                git_odb_object_size(obj.get()));
    const size_t body = data.find("\n\n");
    // The header's "parent <id>" lines ("tree <id>" comes first, so each has a '\n' before).
    if (!since.empty() && data.substr(0, body).find(parent_line) != std::string_view::npos)
      result.since_in_history = true;
    if (!only_path.empty()) {
      git_commit* rc = nullptr;
      if (git_commit_lookup(&rc, repo->get(), &id) != 0) return GitError("read commit " + Hex(&id));
      Commit commit(rc);
      if (!Touches(commit.get(), only_path)) continue;
    }
    // The message straight from the object (after the header's blank line): a full
    // commit parse (signatures, parents) per commit is most of the cost otherwise.
    out.push_back(
        {Hex(&id), std::string(body == std::string_view::npos ? "" : data.substr(body + 2))});
  }
  // The walk gives newest first (by commit time, as `git log`); oldest first is wanted.
  // Asking libgit2 for a topological, reversed order costs a pass of its own.
  std::reverse(out.begin(), out.end());
  return result;
}

}  // namespace gauntlet::vcs
