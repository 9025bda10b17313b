// Step "version": the files bumped, the changelog section written, the commit
// `chore(release): TAG` and the annotated tag. Every new file text is computed before
// anything is written, so a mistake in one file (no version found) changes nothing.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "release/bump_files.h"
#include "release/changelog.h"
#include "release/flow.h"
#include "vcs/publish.h"
#include "vcs/repo.h"

namespace gauntlet::release {
namespace {

struct FileChange {
  std::string path;  // absolute
  std::string before, after;
};

Result<std::string> ReadText(const std::string& path, bool missing_ok) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (missing_ok) return std::string();
    return Error::NotFound("cannot read " + path + " (listed under release.bump)");
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Status WriteText(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".gauntlet-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Error{"cannot write " + tmp};
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Error::Errno("rename to " + path, errno);
  return Ok();
}

Result<std::vector<FileChange>> Changes(const Flow& f) {
  std::vector<FileChange> changes;
  for (const spec::ReleaseFile& b : f.target.bump) {
    FileChange c;
    c.path = f.target.bump_dir + "/" + b.path;
    auto text = ReadText(c.path, false);
    if (!text.ok()) return text.error();
    c.before = std::move(*text);
    auto after = BumpText(b.path, b.pattern, c.before, f.state.version);
    if (!after.ok()) return after.error();
    c.after = std::move(*after);
    changes.push_back(std::move(c));
  }
  if (!f.target.changelog.empty()) {
    FileChange c;
    c.path = f.target.changelog;
    auto text = ReadText(c.path, true);
    if (!text.ok()) return text.error();
    c.before = std::move(*text);
    bool already = false;
    c.after = InsertSection(c.before, f.state.tag, f.state.changelog, &already);
    changes.push_back(std::move(c));
  }
  return changes;
}

// For tests of a kill inside this step: the request's after_step hook, called at a point
// within the step ("version:files" after a file is written, "version:commit" after the
// commit, before the tag).
void Reached(const Flow& f, const char* point) {
  if (f.req.after_step) f.req.after_step(point);
}

// A release continued after a kill inside this step finds its own files written and not
// committed, or nothing: anything else uncommitted is someone's work, not the release's.
Status LeftBehindIsOurs(const Flow& f) {
  auto dirty = vcs::UncommittedPaths(f.repo_root);
  if (!dirty.ok()) return dirty.error();
  for (const std::string& p : *dirty) {
    if (std::find(f.state.files.begin(), f.state.files.end(), p) == f.state.files.end())
      return Error::Conflict("the work tree has uncommitted changes that are not this "
                             "release's (" + p + "): commit or stash them, then run it again");
  }
  return Ok();
}

// The release commit: HEAD itself when a killed attempt already made it (its subject is
// this release's and no file needed writing), so a continued release never commits twice.
Result<std::string> CommitOnce(const Flow& f, const std::string& message, bool written) {
  if (f.resumed && !written) {
    auto head = vcs::HeadInfo(f.repo_root);
    if (!head.ok()) return head.error();
    if (head->subject == "chore(release): " + f.state.tag) return head->commit;
  }
  return vcs::CommitFiles(f.repo_root, f.state.files, message);
}

}  // namespace

Status VersionStep(Flow& f) {
  f.Begin("version");
  auto fail = [&](Error e) -> Status {
    (void)f.End("version", "failed", e.message);
    return e;
  };
  auto changes = Changes(f);
  if (!changes.ok()) return fail(changes.error());
  const std::string message = "chore(release): " + f.state.tag + "\n\n" + f.state.changelog;
  f.state.files.clear();
  for (const FileChange& c : *changes) f.state.files.push_back(RepoRelative(f, c.path));
  if (f.store == nullptr) {  // dry run
    nlohmann::json files = nlohmann::json::array();
    for (const FileChange& c : *changes) {
      const spec::ReleaseFile* b = nullptr;
      for (const auto& bf : f.target.bump)
        if (f.target.bump_dir + "/" + bf.path == c.path) b = &bf;
      files.push_back({{"path", RepoRelative(f, c.path)},
                       {"from", b ? CurrentVersionIn(b->path, b->pattern, c.before) : ""},
                       {"to", b ? f.state.version : "section " + f.state.tag + " added"},
                       {"changed", c.before != c.after}});
    }
    f.plan["files"] = files;
    f.plan["commit_message"] = message;
    f.plan["tag"] = f.state.tag;
    return f.End("version", "skipped", "dry run: would commit and tag " + f.state.tag);
  }
  if (f.resumed) {
    if (Status s = LeftBehindIsOurs(f); !s.ok()) return fail(s.error());
  }
  bool written = false;
  for (const FileChange& c : *changes) {
    if (c.before == c.after) continue;
    if (Status s = WriteText(c.path, c.after); !s.ok()) return fail(s.error());
    written = true;
    Reached(f, "version:files");
  }
  auto commit = CommitOnce(f, message, written);
  if (!commit.ok()) return fail(commit.error());
  f.state.commit = *commit;
  Reached(f, "version:commit");
  // The tag carries the notes too: `git show TAG` tells what the release holds.
  Status tagged = vcs::CreateTag(f.repo_root, f.state.tag, *commit,
                                 "Release " + f.state.tag + "\n\n" + f.state.changelog);
  if (!tagged.ok()) return fail(tagged.error());
  return f.End("version", "ok", "committed " + commit->substr(0, 7) + ", tagged " + f.state.tag);
}

}  // namespace gauntlet::release
