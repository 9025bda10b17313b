#include "vcs/repo.h"

#include "vcs/git_handles.h"

#include <git2.h>

#include <algorithm>
#include <memory>
#include <string_view>

namespace gauntlet::vcs {
namespace {

constexpr std::string_view kNotARepository = "not a git repository: ";

Result<Repo> OpenRepo(const std::string& path) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(&raw, path.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return Error{std::string(kNotARepository) + path};
  if (rc != 0) return GitError("open repository at " + path);
  return Repo(raw);
}

Result<Tree> TreeOf(git_repository* repo, const std::string& ref) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, ref.c_str()) != 0) {
    return GitError("unknown revision '" + ref + "'");
  }
  Object obj(raw);
  git_object* tree = nullptr;
  if (git_object_peel(&tree, obj.get(), GIT_OBJECT_TREE) != 0) {
    return GitError("revision '" + ref + "' has no tree");
  }
  return Tree(reinterpret_cast<git_tree*>(tree));
}

// Tracked files whose index or work tree differs from HEAD (a non-bare repository).
Result<StatusList> TrackedChanges(git_repository* repo) {
  git_status_options opts;
  git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;  // untracked files are not included
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repo, &opts) != 0) return GitError("status");
  return StatusList(raw);
}

}  // namespace

bool IsNotARepository(const Error& error) {
  return std::string_view(error.message).starts_with(kNotARepository);
}

Result<std::string> CommonDir(const std::string& path) {
  auto repo = OpenRepo(path);
  if (!repo.ok()) return repo.error();
  const char* dir = git_repository_commondir(repo->get());
  if (dir == nullptr) return Error{"repository at " + path + " has no git directory"};
  return std::string(dir);
}

Result<std::vector<std::string>> TrackedFiles(const std::string& path) {
  auto repo = OpenRepo(path);
  if (!repo.ok()) return repo.error();
  std::vector<std::string> out;
  if (git_repository_is_bare(repo->get())) return out;
  git_index* raw = nullptr;
  if (git_repository_index(&raw, repo->get()) != 0) return GitError("read the index");
  std::unique_ptr<git_index, GitDeleter<git_index, git_index_free>> index(raw);
  const size_t n = git_index_entrycount(index.get());
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const git_index_entry* e = git_index_get_byindex(index.get(), i);
    // Stage 0 only: a file in conflict has up to three entries under one path.
    if (e != nullptr && GIT_INDEX_ENTRY_STAGE(e) == 0) out.emplace_back(e->path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> UntrackedFiles(const std::string& path) {
  auto repo = OpenRepo(path);
  if (!repo.ok()) return repo.error();
  std::vector<std::string> out;
  if (git_repository_is_bare(repo->get())) return out;
  git_status_options opts;
  git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
  opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repo->get(), &opts) != 0) return GitError("status");
  StatusList list(raw);
  for (size_t i = 0, n = git_status_list_entrycount(list.get()); i < n; ++i) {
    const git_status_entry* e = git_status_byindex(list.get(), i);
    if ((e->status & GIT_STATUS_WT_NEW) == 0 || e->index_to_workdir == nullptr) continue;
    if (const char* p = e->index_to_workdir->new_file.path) out.emplace_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<CommitInfo> HeadInfo(const std::string& path) {
  auto repo = OpenRepo(path);
  if (!repo.ok()) return repo.error();
  git_repository* r = repo->get();
  if (git_repository_head_unborn(r) == 1) {
    return Error{"repository at " + path + " has no commits yet"};
  }
  git_reference* head_raw = nullptr;
  if (git_repository_head(&head_raw, r) != 0) return GitError("read HEAD");
  Ref head(head_raw);
  git_object* obj = nullptr;
  if (git_reference_peel(&obj, head.get(), GIT_OBJECT_COMMIT) != 0) {
    return GitError("HEAD is not a commit");
  }
  Commit commit(reinterpret_cast<git_commit*>(obj));

  CommitInfo info;
  char id[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(id, sizeof(id), git_commit_id(commit.get()));
  info.commit = id;
  info.branch = git_repository_head_detached(r) == 1 ? "HEAD" : git_reference_shorthand(head.get());
  const git_signature* author = git_commit_author(commit.get());
  info.author_name = author->name != nullptr ? author->name : "";
  info.author_email = author->email != nullptr ? author->email : "";
  info.committer_time = static_cast<int64_t>(git_commit_time(commit.get()));
  const char* message = git_commit_message(commit.get());
  info.message = message != nullptr ? message : "";
  info.subject = info.message.substr(0, info.message.find('\n'));
  info.trailers = Trailers(info.message.c_str());
  const char* workdir = git_repository_workdir(r);
  info.workdir = workdir != nullptr ? workdir : "";
  return info;
}

Result<bool> WorkTreeDirty(const std::string& path) {
  auto repo = OpenRepo(path);
  if (!repo.ok()) return repo.error();
  if (git_repository_is_bare(repo->get())) return false;
  auto list = TrackedChanges(repo->get());
  if (!list.ok()) return list.error();
  return git_status_list_entrycount(list->get()) > 0;
}

Result<std::vector<std::string>> UncommittedPaths(const std::string& path) {
  auto repo = OpenRepo(path);
  if (!repo.ok()) return repo.error();
  std::vector<std::string> paths;
  if (git_repository_is_bare(repo->get())) return paths;
  auto list = TrackedChanges(repo->get());
  if (!list.ok()) return list.error();
  const size_t n = git_status_list_entrycount(list->get());
  for (size_t i = 0; i < n; ++i) {
    const git_status_entry* e = git_status_byindex(list->get(), i);
    const git_diff_delta* d = e->head_to_index != nullptr ? e->head_to_index : e->index_to_workdir;
    if (d != nullptr && d->new_file.path != nullptr) paths.emplace_back(d->new_file.path);
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

Result<std::vector<std::string>> ChangedFiles(const std::string& repo_path,
                                              const std::string& base_ref,
                                              const std::string& head_ref) {
  auto repo = OpenRepo(repo_path);
  if (!repo.ok()) return repo.error();
  auto base = TreeOf(repo->get(), base_ref);
  if (!base.ok()) return base.error();
  auto head = TreeOf(repo->get(), head_ref);
  if (!head.ok()) return head.error();
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repo->get(), base->get(), head->get(), nullptr) != 0) {
    return GitError("diff " + base_ref + ".." + head_ref);
  }
  Diff diff(raw);
  git_diff_find_options find;
  git_diff_find_options_init(
      &find,
      GIT_DIFF_FIND_OPTIONS_VERSION);  // the macro trips clang's -Wmissing-field-initializers
  find.flags = GIT_DIFF_FIND_RENAMES;
  if (git_diff_find_similar(diff.get(), &find) != 0) return GitError("find renames");
  std::vector<std::string> paths;
  const size_t n = git_diff_num_deltas(diff.get());
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    if (d->old_file.path != nullptr) paths.emplace_back(d->old_file.path);
    if (d->new_file.path != nullptr) paths.emplace_back(d->new_file.path);
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

}  // namespace gauntlet::vcs
