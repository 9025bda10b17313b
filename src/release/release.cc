#include "release/release.h"

#include <algorithm>
#include <filesystem>

#include "release/flow.h"
#include "store/engine_lock.h"
#include "store/open.h"
#include "vcs/history.h"
#include "vcs/publish.h"
#include "vcs/repo.h"

namespace gauntlet::release {
namespace {

Result<Target> TargetOf(const ReleaseRequest& req, const spec::Release& config,
                        const std::string& repo_root) {
  Target t;
  t.tag_format = config.tag_format;
  t.bump = config.bump;
  t.bump_dir = req.workspace.root;
  if (!config.changelog.empty()) t.changelog = req.workspace.root + "/" + config.changelog;
  if (req.package.empty()) {
    if (!config.packages.empty()) {
      std::string names;
      for (const auto& p : config.packages) names += (names.empty() ? "" : ", ") + p.name;
      return Error::Invalid("this pipeline releases packages: choose one with --package (" +
                            names + ")");
    }
    return t;
  }
  for (const spec::ReleasePackage& p : config.packages) {
    if (p.name != req.package) continue;
    t.package = p.name;
    t.tag_format = p.tag_format;
    t.path = p.path;
    t.bump = p.bump;
    t.bump_dir = repo_root + "/" + p.path;
    t.changelog = p.changelog.empty() ? "" : req.workspace.root + "/" + p.changelog;
    return t;
  }
  return Error::Invalid("no package '" + req.package + "' under release.packages");
}

// The files the version step writes, relative to the work tree.
std::vector<std::string> OwnFiles(const Flow& f) {
  std::vector<std::string> files;
  for (const spec::ReleaseFile& b : f.target.bump)
    files.push_back(RepoRelative(f, f.target.bump_dir + "/" + b.path));
  if (!f.target.changelog.empty()) files.push_back(RepoRelative(f, f.target.changelog));
  return files;
}

// Whether release `r`, killed inside its version step, can be continued at HEAD: its
// commit is HEAD (killed before the tag), or some of its files are written and nothing
// else is uncommitted (killed before the commit). With nothing written there is nothing
// to continue: HEAD may have moved since, so the release starts again.
bool KilledInVersionStep(const Flow& f, const store::ReleaseRecord& r,
                         const std::vector<store::ReleaseStepRecord>& steps,
                         const vcs::CommitInfo& head) {
  // A step's row is written when it ends: killed inside the version step, the release has
  // its quality step ended well and no version step, or one that failed.
  bool quality_passed = false, version_open = true;
  for (const auto& s : steps) {
    if (s.step == "quality")
      quality_passed = s.result == "ok" || s.result == "skipped" || s.result == "reused";
    if (s.step == "version") version_open = s.result == "running" || s.result == "failed";
  }
  if (!quality_passed || !version_open) return false;
  if (head.subject == "chore(release): " + r.tag) return true;
  auto dirty = vcs::UncommittedPaths(f.repo_root);
  if (!dirty.ok() || dirty->empty()) return false;
  const std::vector<std::string> own = OwnFiles(f);
  for (const std::string& p : *dirty)
    if (std::find(own.begin(), own.end(), p) == own.end()) return false;
  return true;
}

// The unfinished release of HEAD: the latest row of this target, not finished, whose
// tag exists and points at HEAD, or which was killed inside its version step. Its steps
// that ended ok are not done again. A row left "running" that cannot be continued was
// killed: it is marked failed, so `gauntlet releases` does not show it running forever.
void FindResumable(Flow& f) {
  auto rows = f.store->ListReleases(f.state.pipeline, f.target.package, 1);
  if (!rows.ok() || rows->empty()) return;
  store::ReleaseRecord r = rows->front();
  if ((r.status != "running" && r.status != "failed") || r.tag.empty()) return;
  auto head = vcs::HeadInfo(f.repo_root);
  auto tags = vcs::ListTags(f.repo_root);
  auto steps = f.store->GetReleaseSteps(r.id);
  if (!head.ok() || !tags.ok() || !steps.ok()) return;
  bool tagged = false, at_head = false;
  for (const auto& t : *tags) {
    tagged |= t.name == r.tag;
    at_head |= t.name == r.tag && t.commit == head->commit;
  }
  if (!at_head && (tagged || !KilledInVersionStep(f, r, *steps, *head))) {
    if (r.status == "running") {
      r.status = "failed";
      r.reason = "interrupted: the process ended before the release finished";
      (void)f.store->UpdateRelease(r);
    }
    return;
  }
  f.resumed = true;
  f.state.release_id = r.id;
  f.state.version = r.version;
  f.state.previous_version = r.previous_version;
  f.state.tag = r.tag;
  f.state.commit = r.git_commit;
  f.state.changelog = r.notes;
  f.state.started_ms = r.started_ms;
  for (const auto& s : *steps)
    f.state.steps.push_back({s.step, s.result, s.detail, s.started_ms, s.finished_ms});
  f.Print("resuming release " + r.tag + " (release " + std::to_string(r.id) + ")");
}

store::ReleaseRecord RecordOf(const Flow& f) {
  store::ReleaseRecord r;
  r.id = f.state.release_id;
  r.pipeline = f.state.pipeline;
  r.package = f.state.package;
  r.version = f.state.version;
  r.previous_version = f.state.previous_version;
  r.tag = f.state.tag;
  r.git_commit = f.state.commit;
  r.branch = f.state.branch;
  r.status = f.state.status;
  r.reason = f.state.reason;
  r.deployment_id = f.state.deployment.id;
  r.notes = f.state.changelog;
  r.started_ms = f.state.started_ms;
  r.finished_ms = f.state.finished_ms;
  return r;
}

// Runs the steps in order; the first error ends the release.
Status Steps(Flow& f) {
  using StepFn = Status (*)(Flow&);
  static const std::pair<const char*, StepFn> kSteps[] = {
      {"verify", Verify},   {"analyse", AnalyseStep}, {"quality", Quality},
      {"approval", Approval}, {"version", VersionStep}, {"push", Push},
      {"deploy", Deploy}};
  for (const auto& [name, fn] : kSteps) {
    if (f.Done(name)) continue;
    if (Status s = fn(f); !s.ok()) return s;
    // A final status (nothing to release, rejected, not deployed): stop here.
    if (f.state.status != "running" && f.state.status != "dry_run") return Ok();
    if (f.req.after_step) f.req.after_step(name);
  }
  return Ok();
}

}  // namespace

std::string StatusFilePath(const ReleaseRequest& request) {
  return request.status_file.empty() ? request.workspace.state_dir + "/last-release.json"
                                     : request.status_file;
}

void Flow::Begin(const std::string& step) {
  StepState* s = state.Step(step);
  if (s == nullptr) {
    state.steps.push_back({step, "", "", 0, 0});
    s = &state.steps.back();
  }
  *s = {step, "running", "", clock->UnixMs(), 0};
  Print(step + " ...");
}

Status Flow::End(const std::string& step, const std::string& result, const std::string& detail) {
  StepState* s = state.Step(step);
  if (s == nullptr) {
    Begin(step);
    s = state.Step(step);
  }
  s->result = result;
  s->detail = detail;
  s->finished_ms = clock->UnixMs();
  Print(step + ": " + result + (detail.empty() ? "" : " (" + detail + ")"));
  if (store == nullptr) return Ok();
  if (state.release_id != 0) {
    Status st = store->RecordReleaseStep(
        {state.release_id, step, result, detail, s->started_ms, s->finished_ms});
    if (!st.ok()) return st;
  }
  return Save();
}

Status Flow::Note(const std::string& step, const std::string& detail) {
  StepState* s = state.Step(step);
  if (s == nullptr) {
    Begin(step);
    s = state.Step(step);
  }
  s->detail = detail;
  // Recorded before it is printed: whoever reads the line finds the status file saying it.
  Status saved = Ok();
  if (store != nullptr && state.release_id != 0)
    saved = store->RecordReleaseStep({state.release_id, step, "running", detail, s->started_ms, 0});
  if (store != nullptr && saved.ok()) saved = Save();
  Print(detail);
  return saved;
}

Status Flow::Save() {
  if (store == nullptr) return Ok();
  if (state.release_id == 0) {
    auto id = store->CreateRelease(RecordOf(*this));
    if (!id.ok()) return id.error();
    state.release_id = *id;
    for (const StepState& s : state.steps) {
      Status st = store->RecordReleaseStep(
          {state.release_id, s.name, s.result, s.detail, s.started_ms, s.finished_ms});
      if (!st.ok()) return st;
    }
  } else if (Status st = store->UpdateRelease(RecordOf(*this)); !st.ok()) {
    return st;
  }
  return WriteStatusFile(status_path, ToJson(state));
}

bool Flow::Done(const std::string& step) const {
  if (!resumed) return false;
  for (const StepState& s : state.steps)
    if (s.name == step) return s.result == "ok" || s.result == "skipped" || s.result == "reused";
  return false;
}

std::string RepoRelative(const Flow& f, const std::string& absolute) {
  return std::filesystem::path(absolute).lexically_relative(f.repo_root).string();
}

Result<ReleaseOutcome> Run(const ReleaseRequest& req) {
  const spec::Pipeline& pipeline = req.pipeline->pipeline();
  if (!pipeline.release.present)
    return Error::Invalid(req.pipeline->file +
                          " has no release: section (docs/release.md says what it holds)");
  auto head = vcs::HeadInfo(req.workspace.root);
  if (!head.ok()) return Error::Invalid("gauntlet release needs a git repository: " +
                                        head.error().message);
  std::string repo_root = head->workdir;
  while (repo_root.size() > 1 && repo_root.back() == '/') repo_root.pop_back();
  spec::Release config = pipeline.release;
  if (!req.remote.empty()) config.remote = req.remote;
  auto target = TargetOf(req, config, repo_root);
  if (!target.ok()) return target.error();

  Flow f(req, config, *target, repo_root);
  f.clock = req.clock != nullptr ? req.clock : &RealClock();
  f.status_path = StatusFilePath(req);
  f.state.pipeline = pipeline.name;
  f.state.package = target->package;
  f.state.branch = head->branch;
  f.state.head = head->commit;
  f.state.started_ms = f.clock->UnixMs();
  f.state.remote = config.remote;
  f.identity = req.identity.empty() ? head->author_email : req.identity;
  if (req.dry_run) f.state.status = "dry_run";

  // One release at a time per state directory; a dry run changes nothing and takes no
  // lock (taking it would create the lock file).
  std::optional<store::EngineLock> lock;
  std::unique_ptr<store::Store> st;
  if (!req.dry_run) {
    bool busy = false;
    auto l = store::EngineLock::AcquireFile(req.workspace.state_dir, "release.lock",
                                            "another gauntlet release", &busy);
    if (!l.ok()) return l.error();
    lock.emplace(std::move(*l));
    auto opened = store::OpenStore(req.workspace.store_url());
    if (!opened.ok()) return opened.error();
    st = std::move(*opened);
    f.store = st.get();
    FindResumable(f);
  }
  Status s = Steps(f);
  if (!s.ok()) {
    f.state.status = "failed";
    f.state.reason = s.error().message;
  } else if (f.state.status == "running") {
    f.state.status = f.state.deployment.environment.empty() ? "released" : "deployed";
  }
  f.state.finished_ms = f.clock->UnixMs();
  ReleaseOutcome out;
  if (f.store != nullptr) {
    if (Status saved = f.Save(); !saved.ok()) {
      f.Print("warning: could not record the release: " + saved.error().message);
    }
    out.status_file = f.status_path;
  }
  out.state = std::move(f.state);
  out.plan = std::move(f.plan);
  return out;
}

}  // namespace gauntlet::release
