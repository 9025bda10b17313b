#include "vcs/git_handles.h"

#include "vcs/warm_up.h"

namespace gauntlet::vcs {
namespace {

class Libgit2 {
 public:
  Libgit2() { git_libgit2_init(); }
  ~Libgit2() { git_libgit2_shutdown(); }
  Libgit2(const Libgit2&) = delete;
  Libgit2& operator=(const Libgit2&) = delete;
};

}  // namespace

void EnsureLibgit2() { static const Libgit2 init; }

Libgit2WarmUp::Libgit2WarmUp() : thread_([] { EnsureLibgit2(); }) {}

Libgit2WarmUp::~Libgit2WarmUp() { thread_.join(); }

Result<Repo> OpenRepository(const std::string& path) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, path.c_str(), 0, nullptr) != 0)
    return GitError("open repository at " + path);
  return Repo(raw);
}

Error GitError(const std::string& what) {
  const git_error* e = git_error_last();
  return Error{what + ": " + (e != nullptr && e->message != nullptr ? e->message : "git error")};
}

std::string Hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buf, sizeof(buf), oid);
  return buf;
}

bool ResolveCommit(git_repository* repo, const std::string& spec, git_oid* out) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, spec.c_str()) != 0) return false;
  Object obj(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) != 0) return false;
  Object commit(peeled);
  git_oid_cpy(out, git_object_id(commit.get()));
  return true;
}

bool DefaultBranch(git_repository* repo, git_oid* out, std::string* name) {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, "refs/remotes/origin/HEAD") == 0) {
    Ref ref(raw);
    git_reference* resolved = nullptr;
    if (git_reference_resolve(&resolved, ref.get()) == 0) {
      Ref r(resolved);
      git_oid_cpy(out, git_reference_target(r.get()));
      *name = git_reference_shorthand(r.get());
      return true;
    }
  }
  for (const char* candidate : {"refs/heads/main", "refs/heads/master"}) {
    if (git_reference_name_to_id(out, repo, candidate) == 0) {
      *name = candidate + 11;  // drop "refs/heads/"
      return true;
    }
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> Trailers(const char* message) {
  std::vector<std::pair<std::string, std::string>> out;
  git_message_trailer_array arr{};
  if (git_message_trailers(&arr, message) != 0) return out;
  for (size_t i = 0; i < arr.count; ++i) {
    out.emplace_back(arr.trailers[i].key, arr.trailers[i].value);
  }
  git_message_trailer_array_free(&arr);
  return out;
}

}  // namespace gauntlet::vcs
