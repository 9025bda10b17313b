#include "vcs/mirror.h"

#include <filesystem>
#include <map>

#include "vcs/git_handles.h"

namespace gauntlet::vcs {
namespace {

using Remote = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;
const std::string kZero(40, '0');
const std::string kFetched = "refs/fetched/";

// The branches and tags, each peeled to its commit: the fetched ones (named as the
// accepted ones would be) or the accepted ones.
std::map<std::string, std::string> Snapshot(git_repository* repo, bool fetched) {
  std::map<std::string, std::string> out;
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_new(&it, repo) != 0) return out;
  git_reference* raw = nullptr;
  while (git_reference_next(&raw, it) == 0) {
    Ref ref(raw);
    std::string name = git_reference_name(raw);
    if (fetched) {
      if (name.rfind(kFetched, 0) != 0) continue;
      name = "refs/" + name.substr(kFetched.size());
    }
    if (name.rfind("refs/heads/", 0) != 0 && name.rfind("refs/tags/", 0) != 0) continue;
    git_object* peeled = nullptr;
    if (git_reference_peel(&peeled, raw, GIT_OBJECT_COMMIT) != 0) continue;
    Object commit(peeled);
    out[name] = Hex(git_object_id(peeled));
  }
  git_reference_iterator_free(it);
  return out;
}

std::vector<RefMove> Moves(const std::map<std::string, std::string>& accepted,
                           const std::map<std::string, std::string>& fetched) {
  std::map<std::string, RefMove> moves;
  for (const auto& [ref, id] : fetched) {
    auto old = accepted.find(ref);
    if (old == accepted.end() || old->second != id)
      moves[ref] = {ref, old == accepted.end() ? kZero : old->second, id};
  }
  for (const auto& [ref, id] : accepted)
    if (!fetched.count(ref)) moves[ref] = {ref, id, kZero};
  std::vector<RefMove> out;
  for (auto& [ref, move] : moves) out.push_back(std::move(move));
  return out;
}

Result<Repo> OpenOrCreate(const std::string& url, const std::string& dir, bool* created) {
  git_repository* raw = nullptr;
  std::error_code ec;
  if (std::filesystem::exists(dir + "/HEAD", ec)) {
    if (git_repository_open_bare(&raw, dir.c_str()) != 0) return GitError("opening " + dir);
    Repo repo(raw);
    // The URL may have changed in the server's configuration since the last start.
    if (git_remote_set_url(repo.get(), "origin", url.c_str()) != 0)
      return GitError("setting the URL of " + dir);
    return repo;
  }
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  if (git_repository_init(&raw, dir.c_str(), /*is_bare=*/1) != 0)
    return GitError("creating " + dir);
  Repo repo(raw);
  git_remote* remote = nullptr;
  if (git_remote_create(&remote, repo.get(), "origin", url.c_str()) != 0)
    return GitError("adding the remote " + url);
  git_remote_free(remote);
  *created = true;
  return repo;
}

}  // namespace

Result<MirrorFetch> FetchMirror(const std::string& url, const std::string& dir) {
  EnsureLibgit2();
  MirrorFetch out;
  auto repo = OpenOrCreate(url, dir, &out.created);
  if (!repo.ok()) return repo.error();
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, repo->get(), "origin") != 0) return GitError("origin of " + dir);
  Remote remote(raw);
  const char* specs[] = {"+refs/heads/*:refs/fetched/heads/*", "+refs/tags/*:refs/fetched/tags/*"};
  git_strarray refspecs{const_cast<char**>(specs), 2};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.prune = GIT_FETCH_PRUNE;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;  // tags come by the refspec above
  if (git_remote_fetch(remote.get(), &refspecs, &opts, "gauntlet poll") != 0)
    return GitError("fetching " + url);
  // HEAD follows the remote's default branch: schedules are read from its head.
  git_buf head = GIT_BUF_INIT;
  if (git_remote_default_branch(&head, remote.get()) == 0) {
    git_repository_set_head(repo->get(), head.ptr);
    git_buf_dispose(&head);
  }
  out.moves = Moves(Snapshot(repo->get(), false), Snapshot(repo->get(), true));
  if (out.created) {
    // The first fetch is where the server starts from, not a push.
    if (Status s = AcceptMoves(dir, out.moves); !s.ok()) return s.error();
    out.moves.clear();
  }
  return out;
}

Status AcceptMoves(const std::string& dir, const std::vector<RefMove>& moves) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_bare(&raw, dir.c_str()) != 0) return GitError("opening " + dir);
  Repo repo(raw);
  for (const RefMove& m : moves) {
    const std::string fetched = kFetched + m.ref.substr(5);  // past "refs/"
    git_reference* found = nullptr;
    if (git_reference_lookup(&found, repo.get(), fetched.c_str()) == 0) {
      Ref f(found);
      const git_oid* target = git_reference_target(f.get());
      git_reference* made = nullptr;
      if (!target || git_reference_create(&made, repo.get(), m.ref.c_str(), target, /*force=*/1,
                                          "gauntlet poll") != 0)
        return GitError("accepting " + m.ref);
      git_reference_free(made);
      continue;
    }
    git_reference* old = nullptr;
    if (git_reference_lookup(&old, repo.get(), m.ref.c_str()) != 0) continue;
    Ref o(old);
    if (git_reference_delete(o.get()) != 0) return GitError("deleting " + m.ref);
  }
  return Ok();
}

}  // namespace gauntlet::vcs
