#include "vcs/changes.h"

#include "vcs/git_handles.h"

#include <git2.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace gauntlet::vcs {
namespace {

void AddPaths(const git_diff_delta* d, std::vector<std::string>& out) {
  if (d->old_file.path != nullptr) out.emplace_back(d->old_file.path);
  if (d->new_file.path != nullptr) out.emplace_back(d->new_file.path);
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

Result<std::vector<std::string>> Committed(git_repository* repo, const git_oid* base,
                                           const git_oid& head) {
  Tree base_tree;
  if (base != nullptr) {
    Commit c;
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo, base) != 0) return GitError("read base commit");
    c.reset(raw);
    git_tree* t = nullptr;
    if (git_commit_tree(&t, c.get()) != 0) return GitError("read base tree");
    base_tree.reset(t);
  }
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &head) != 0) return GitError("read HEAD commit");
  Commit hc(raw);
  git_tree* t = nullptr;
  if (git_commit_tree(&t, hc.get()) != 0) return GitError("read HEAD tree");
  Tree head_tree(t);
  git_diff* d = nullptr;
  if (git_diff_tree_to_tree(&d, repo, base_tree.get(), head_tree.get(), nullptr) != 0) {
    return GitError("diff base..HEAD");
  }
  Diff diff(d);
  git_diff_find_options find;
  git_diff_find_options_init(
      &find,
      GIT_DIFF_FIND_OPTIONS_VERSION);  // the macro trips clang's -Wmissing-field-initializers
  find.flags = GIT_DIFF_FIND_RENAMES;
  if (git_diff_find_similar(diff.get(), &find) != 0) return GitError("find renames");
  std::vector<std::string> out;
  for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    AddPaths(git_diff_get_delta(diff.get(), i), out);
  }
  SortUnique(out);
  return out;
}

Result<std::vector<std::string>> Uncommitted(git_repository* repo) {
  if (git_repository_is_bare(repo)) return std::vector<std::string>{};
  git_status_options opts;
  git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repo, &opts) != 0) return GitError("status");
  StatusList list(raw);
  std::vector<std::string> out;
  for (size_t i = 0, n = git_status_list_entrycount(list.get()); i < n; ++i) {
    const git_status_entry* e = git_status_byindex(list.get(), i);
    if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED) != 0) continue;
    if (e->head_to_index != nullptr) AddPaths(e->head_to_index, out);
    if (e->index_to_workdir != nullptr) AddPaths(e->index_to_workdir, out);
  }
  SortUnique(out);
  return out;
}

// Whether HEAD is the default branch `name` ("main", or "origin/main" for
// origin/HEAD), or detached (a CI checkout of a commit).
bool OnBranch(git_repository* repo, const std::string& name) {
  if (git_repository_head_detached(repo) == 1) return true;
  git_reference* raw = nullptr;
  if (git_repository_head(&raw, repo) != 0) return false;
  Ref head(raw);
  const std::string branch = git_reference_shorthand(head.get());
  return branch == name || "origin/" + branch == name;
}

}  // namespace

Result<ChangeSet> ChangedFilesForRun(const std::string& path, const std::string& base_ref) {
  EnsureLibgit2();
  ChangeSet out;
  git_repository* raw = nullptr;
  const int rc = git_repository_open_ext(&raw, path.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) {
    out.how = "not a git repository: change filters do not apply, nothing is skipped";
    return out;
  }
  if (rc != 0) return GitError("open repository at " + path);
  Repo repo(raw);
  out.available = true;
  if (const char* wd = git_repository_workdir(repo.get())) out.workdir = wd;

  auto dirty = Uncommitted(repo.get());
  if (!dirty.ok()) return dirty.error();
  out.uncommitted = std::move(*dirty);

  git_oid head;
  if (git_repository_head_unborn(repo.get()) == 1 ||
      git_reference_name_to_id(&head, repo.get(), "HEAD") != 0) {
    out.how = "no commit yet: only uncommitted files count";
    out.files = out.uncommitted;
    return out;
  }
  out.head = Hex(&head);

  git_oid base;
  bool have_base = false;
  if (!base_ref.empty()) {
    git_oid ref;
    if (!ResolveCommit(repo.get(), base_ref, &ref)) {
      return GitError("--base: unknown revision '" + base_ref + "'");
    }
    if (git_merge_base(&base, repo.get(), &head, &ref) == 0) {
      have_base = true;
      out.how = "merge-base of HEAD and " + base_ref;
      if (git_oid_equal(&base, &head)) out.how += " is HEAD: no committed changes";
    } else {
      out.how = "no merge-base with " + base_ref + ": every file of HEAD counts";
    }
  } else {
    git_oid def;
    std::string name;
    if (!DefaultBranch(repo.get(), &def, &name)) {
      out.how = "no default branch (origin/HEAD, main, master): every file of HEAD counts";
    } else if (git_merge_base(&base, repo.get(), &head, &def) != 0) {
      out.how = "no merge-base with " + name + ": every file of HEAD counts";
    } else if (!git_oid_equal(&base, &head)) {
      have_base = true;
      out.how = "merge-base of HEAD and " + name;
    } else if (!OnBranch(repo.get(), name)) {
      // A branch just made from the default one: nothing committed on it yet.
      have_base = true;
      out.how = "HEAD is on " + name + "'s history: no committed changes";
    } else {
      // On the default branch: what the last commit changed.
      git_commit* c = nullptr;
      if (git_commit_lookup(&c, repo.get(), &head) != 0) return GitError("read HEAD commit");
      Commit commit(c);
      if (git_commit_parentcount(commit.get()) == 0) {
        out.how = "first commit: every file of HEAD counts";
      } else {
        git_oid_cpy(&base, git_commit_parent_id(commit.get(), 0));
        have_base = true;
        out.how = "on " + name + ": the changes of the last commit";
      }
    }
  }
  if (have_base) out.base = Hex(&base);
  auto committed = Committed(repo.get(), have_base ? &base : nullptr, head);
  if (!committed.ok()) return committed.error();
  out.committed = std::move(*committed);
  out.files = out.committed;
  out.files.insert(out.files.end(), out.uncommitted.begin(), out.uncommitted.end());
  SortUnique(out.files);
  return out;
}

ChangeSet Within(ChangeSet c, const std::string& dir) {
  if (!c.available) return c;
  std::error_code ec;
  namespace fs = std::filesystem;
  std::string root = fs::weakly_canonical(c.workdir, ec).string();
  std::string here = fs::weakly_canonical(dir, ec).string();
  std::string prefix;  // dir relative to the repository root, with a trailing '/'
  if (here != root) {
    if (!root.empty() && root.back() != '/') root += '/';
    if (!here.starts_with(root)) return c;  // not inside: leave the paths as they are
    prefix = here.substr(root.size()) + "/";
  }
  auto keep = [&](std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (std::string& p : paths) {
      if (!p.starts_with(prefix)) continue;
      std::string rel = p.substr(prefix.size());
      if (rel == ".gauntlet" || rel.starts_with(".gauntlet/")) continue;
      out.push_back(std::move(rel));
    }
    paths = std::move(out);
  };
  keep(c.committed);
  keep(c.uncommitted);
  keep(c.files);
  c.workdir = here;
  return c;
}

}  // namespace gauntlet::vcs
