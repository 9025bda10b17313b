#include "vcs/range.h"

#include <git2.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "vcs/git_handles.h"

namespace gauntlet::vcs {
namespace {

// The default branch (git_handles.h), named as runs record it: "main", not "origin/main".
bool DefaultBranchShort(git_repository* repo, git_oid* out, std::string* name) {
  if (!DefaultBranch(repo, out, name)) return false;
  if (name->starts_with("origin/")) *name = name->substr(7);
  return true;
}

using Revwalk = std::unique_ptr<git_revwalk, GitDeleter<git_revwalk, git_revwalk_free>>;

RangeCommit ReadCommit(git_commit* c) {
  RangeCommit rc;
  rc.commit = Hex(git_commit_id(c));
  const git_signature* author = git_commit_author(c);
  rc.author_name = author->name != nullptr ? author->name : "";
  rc.author_email = author->email != nullptr ? author->email : "";
  rc.time = static_cast<int64_t>(author->when.time);
  const char* message = git_commit_message(c);
  rc.message = message != nullptr ? message : "";
  rc.subject = rc.message.substr(0, rc.message.find('\n'));
  rc.trailers = Trailers(rc.message.c_str());
  return rc;
}

Result<Tree> TreeOfCommit(git_repository* repo, const git_oid& id) {
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &id) != 0) return GitError("read commit " + Hex(&id));
  Commit c(raw);
  git_tree* t = nullptr;
  if (git_commit_tree(&t, c.get()) != 0) return GitError("read tree of " + Hex(&id));
  return Tree(t);
}

struct DiffPayload {
  std::map<std::string, FileDiff> files;
  FileDiff* current = nullptr;
};

int OnFile(const git_diff_delta* d, float, void* payload) {
  auto* p = static_cast<DiffPayload*>(payload);
  const bool deleted = d->status == GIT_DELTA_DELETED;
  std::string path = deleted ? d->old_file.path : d->new_file.path;
  FileDiff& f = p->files[path];
  f.path = path;
  f.old_path = d->old_file.path != nullptr ? d->old_file.path : path;
  f.binary = (d->flags & GIT_DIFF_FLAG_BINARY) != 0;
  p->current = &f;
  return 0;
}

int OnBinary(const git_diff_delta*, const git_diff_binary*, void* payload) {
  auto* p = static_cast<DiffPayload*>(payload);
  if (p->current != nullptr) p->current->binary = true;
  return 0;
}

int OnLine(const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line, void* payload) {
  auto* p = static_cast<DiffPayload*>(payload);
  if (p->current == nullptr) return 0;
  if (line->origin == GIT_DIFF_LINE_ADDITION) {
    ++p->current->added;
    p->current->added_lines.insert(line->new_lineno);
  } else if (line->origin == GIT_DIFF_LINE_DELETION) {
    ++p->current->deleted;
  }
  return 0;
}

Result<std::vector<FileDiff>> DiffFiles(git_repository* repo, const git_oid* base,
                                        const git_oid& head) {
  Tree base_tree;
  if (base != nullptr) {
    auto t = TreeOfCommit(repo, *base);
    if (!t.ok()) return t.error();
    base_tree = std::move(t).value();
  }
  auto head_tree = TreeOfCommit(repo, head);
  if (!head_tree.ok()) return head_tree.error();
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = 0;
  git_diff* d = nullptr;
  if (git_diff_tree_to_tree(&d, repo, base_tree.get(), head_tree->get(), &opts) != 0) {
    return GitError("diff base..head");
  }
  Diff diff(d);
  git_diff_find_options find;
  git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
  find.flags = GIT_DIFF_FIND_RENAMES;
  if (git_diff_find_similar(diff.get(), &find) != 0) return GitError("find renames");
  DiffPayload payload;
  if (git_diff_foreach(diff.get(), OnFile, OnBinary, nullptr, OnLine, &payload) != 0) {
    return GitError("read diff");
  }
  std::vector<FileDiff> out;
  for (auto& [path, f] : payload.files) out.push_back(std::move(f));
  return out;
}

Result<std::vector<RangeCommit>> Commits(git_repository* repo, const git_oid* base,
                                         const git_oid& head) {
  git_revwalk* raw = nullptr;
  if (git_revwalk_new(&raw, repo) != 0) return GitError("walk history");
  Revwalk walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  if (git_revwalk_push(walk.get(), &head) != 0) return GitError("walk from head");
  if (base != nullptr && git_revwalk_hide(walk.get(), base) != 0) return GitError("walk to base");
  std::vector<RangeCommit> out;
  git_oid id;
  while (git_revwalk_next(&id, walk.get()) == 0) {
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, repo, &id) != 0) return GitError("read commit " + Hex(&id));
    Commit commit(c);
    out.push_back(ReadCommit(commit.get()));
  }
  return out;
}

}  // namespace

Result<Range> ReadRange(const std::string& path, const std::string& base_ref,
                        const std::string& head_ref) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  const int rc = git_repository_open_ext(&raw, path.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return Error{"not a git repository: " + path};
  if (rc != 0) return GitError("open repository at " + path);
  Repo repo(raw);
  git_repository* r = repo.get();

  Range out;
  if (const char* wd = git_repository_workdir(r)) out.workdir = wd;
  const std::string head_spec = head_ref.empty() ? "HEAD" : head_ref;
  git_oid head;
  if (!ResolveCommit(r, head_spec, &head)) return GitError("unknown revision '" + head_spec + "'");
  out.head = Hex(&head);
  if (head_spec == "HEAD" && git_repository_head_detached(r) != 1) {
    git_reference* h = nullptr;
    if (git_repository_head(&h, r) == 0) {
      Ref ref(h);
      out.head_branch = git_reference_shorthand(ref.get());
    }
  }
  git_oid default_tip;
  const bool has_default = DefaultBranchShort(r, &default_tip, &out.default_branch);

  std::optional<git_oid> base;
  auto first_parent = [&]() -> Status {
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, r, &head) != 0) return GitError("read head commit");
    Commit commit(c);
    if (git_commit_parentcount(commit.get()) == 0) {
      out.how = "head is a root commit: every file counts as added";
      return Ok();
    }
    base = *git_commit_parent_id(commit.get(), 0);
    out.how += "head's last commit (against its first parent)";
    return Ok();
  };
  if (!base_ref.empty()) {
    git_oid b, mb;
    if (!ResolveCommit(r, base_ref, &b)) return GitError("unknown revision '" + base_ref + "'");
    if (git_merge_base(&mb, r, &head, &b) != 0) {
      return GitError("no common history between " + base_ref + " and " + head_spec);
    }
    base = mb;
    out.how = "merge-base of " + head_spec + " and " + base_ref;
  } else if (git_oid mb; has_default && git_merge_base(&mb, r, &head, &default_tip) == 0 &&
                         !git_oid_equal(&mb, &head)) {
    base = mb;
    out.how = "merge-base of " + head_spec + " and the default branch " + out.default_branch;
  } else {
    out.how = has_default ? "on the default branch's history: " : "no default branch: ";
    if (Status s = first_parent(); !s.ok()) return s.error();
  }
  if (base) out.base = Hex(&*base);

  auto commits = Commits(r, base ? &*base : nullptr, head);
  if (!commits.ok()) return commits.error();
  out.commits = std::move(commits).value();
  auto files = DiffFiles(r, base ? &*base : nullptr, head);
  if (!files.ok()) return files.error();
  out.files = std::move(files).value();
  return out;
}

Result<std::string> DefaultBranchName(const std::string& path) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  const int rc = git_repository_open_ext(&raw, path.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return Error{"not a git repository: " + path};
  if (rc != 0) return GitError("open repository at " + path);
  Repo repo(raw);
  git_oid tip;
  std::string name;
  if (!DefaultBranchShort(repo.get(), &tip, &name)) return std::string();
  return name;
}

}  // namespace gauntlet::vcs
