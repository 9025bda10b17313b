#include "vcs/git_handles.h"

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

Error GitError(const std::string& what) {
  const git_error* e = git_error_last();
  return Error{what + ": " + (e != nullptr && e->message != nullptr ? e->message : "git error")};
}

std::string Hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buf, sizeof(buf), oid);
  return buf;
}

}  // namespace gauntlet::vcs
