// `gauntlet artifacts RUN [JOB] [--download DIR]`: the files jobs of a run stored with
// `artifacts:`, listed or copied out, and the artifacts a workflow run's steps uploaded
// with actions/upload-artifact (kept under gha-artifacts/RUN/NAME/ of the state directory).
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/bytes.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "engine/artifacts.h"

namespace gauntlet::cli {
namespace {

struct ArtifactsArgs {
  std::string run, job, download, state_dir;
};

using engine::JobArtifacts;

// One artifact a workflow step uploaded: its name, where its files are, how many, how big.
struct UploadedArtifact {
  std::string name, path;
  uint64_t files = 0, bytes = 0;
};

// The run's uploaded artifacts by name; none when the run uploaded nothing (or is not a
// workflow run). An unreadable entry is skipped: the listing shows what can be read.
std::vector<UploadedArtifact> ListUploaded(const std::string& state_dir, store::RunId run) {
  namespace fs = std::filesystem;
  std::vector<UploadedArtifact> out;
  std::error_code ec;
  const fs::path dir = fs::path(state_dir) / "gha-artifacts" / std::to_string(run);
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // `NAME.tmp` is an upload in progress (spec/workflow_actions_sh.h).
    if (!it->is_directory(ec) || name.ends_with(".tmp")) continue;
    UploadedArtifact a{name, it->path().string()};
    for (auto f = fs::recursive_directory_iterator(it->path(), ec);
         !ec && f != fs::recursive_directory_iterator(); f.increment(ec)) {
      if (!f->is_regular_file(ec)) continue;
      ++a.files;
      a.bytes += f->file_size(ec);
    }
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(),
            [](const UploadedArtifact& a, const UploadedArtifact& b) { return a.name < b.name; });
  return out;
}

nlohmann::json UploadedJson(const std::vector<UploadedArtifact>& uploaded) {
  nlohmann::json list = nlohmann::json::array();
  for (const UploadedArtifact& a : uploaded)
    list.push_back({{"name", a.name}, {"files", a.files}, {"bytes", a.bytes}, {"path", a.path}});
  return list;
}

void PrintUploaded(const std::vector<UploadedArtifact>& uploaded) {
  size_t nw = 8;
  for (const UploadedArtifact& a : uploaded) nw = std::max(nw, a.name.size());
  fmt::print("{:<{}}  {:>5}  {:>10}  {}\n", "UPLOADED", nw, "FILES", "SIZE", "PATH");
  for (const UploadedArtifact& a : uploaded)
    fmt::print("{:<{}}  {:>5}  {:>10}  {}\n", a.name, nw, a.files, HumanBytes(a.bytes), a.path);
}

int PrintArtifactsJson(store::RunId run, const std::vector<JobArtifacts>& jobs, uint64_t files,
                       uint64_t bytes, const std::string& dest,
                       const std::vector<UploadedArtifact>& uploaded) {
  nlohmann::json list = nlohmann::json::array();
  for (const JobArtifacts& j : jobs) {
    for (const auto& f : j.files) {
      list.push_back(
          {{"job", j.job}, {"path", f.path}, {"size", f.size}, {"hash", f.hash}, {"mode", f.mode}});
    }
  }
  nlohmann::json out = {{"run", run},     {"artifacts", list},
                        {"files", files}, {"bytes", bytes},
                        {"uploaded", UploadedJson(uploaded)}};
  if (!dest.empty()) out["downloaded_to"] = dest;
  fmt::print("{}\n", out.dump(2));
  return kExitOk;
}

int RunArtifacts(const ArtifactsArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto run = ResolveRun(*h->store, args.run, &code);
  if (!run) return code;
  auto jobs = engine::ListArtifacts(*h->store, run->id, args.job);
  if (!jobs.ok()) return Fail(jobs.error());
  uint64_t files = 0, bytes = 0;
  for (const JobArtifacts& j : *jobs) {
    files += j.files.size();
    for (const auto& f : j.files) bytes += f.size;
  }
  std::string dest;
  if (!args.download.empty()) {
    auto d = engine::DownloadArtifacts(*jobs, h->ws.artifacts_dir(), args.download);
    if (!d.ok()) {
      fmt::print(stderr, "gauntlet: {}\n", d.error().message);
      return kExitFailed;  // refused or failed to copy, whatever the cause (--help)
    }
    dest = std::move(*d);
  }
  // A JOB names `artifacts:` of that job; uploads belong to the run.
  const std::vector<UploadedArtifact> uploaded =
      args.job.empty() ? ListUploaded(h->ws.state_dir, run->id) : std::vector<UploadedArtifact>{};
  if (global.json) return PrintArtifactsJson(run->id, *jobs, files, bytes, dest, uploaded);
  if (!uploaded.empty()) PrintUploaded(uploaded);
  if (files == 0) {
    if (uploaded.empty()) fmt::print("run {}: no artifacts\n", run->id);
    return kExitOk;
  }
  size_t jw = 3, pw = 4;
  for (const JobArtifacts& j : *jobs) {
    jw = std::max(jw, j.job.size());
    for (const auto& f : j.files) pw = std::max(pw, f.path.size());
  }
  fmt::print("{:<{}}  {:<{}}  {:>10}\n", "JOB", jw, "PATH", pw, "SIZE");
  for (const JobArtifacts& j : *jobs) {
    for (const auto& f : j.files) {
      fmt::print("{:<{}}  {:<{}}  {:>10}\n", j.job, jw, f.path, pw, HumanBytes(f.size));
    }
  }
  fmt::print("{} file{}, {}{}\n", files, files == 1 ? "" : "s", HumanBytes(bytes),
             dest.empty() ? "" : ", copied to " + dest);
  return kExitOk;
}

}  // namespace

void RegisterArtifacts(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<ArtifactsArgs>();
  CLI::App* cmd = app.add_subcommand("artifacts", "List or download the artifacts of a run");
  cmd->footer(
      "Lists the files the jobs of RUN (an id, or 'latest') stored with `artifacts:`, or\n"
      "only those of JOB (its full name, or its base name for every matrix variant).\n"
      "--download DIR copies them into DIR at their relative paths. A stored record whose\n"
      "path would escape DIR (.., absolute) or whose hash is not a digest is refused, and\n"
      "nothing is written through a symlinked directory. See docs/caching.md.\n"
      "A workflow run's artifacts uploaded with actions/upload-artifact are listed too\n"
      "(UPLOADED: name, files, size, directory; `uploaded` in --json); download-artifact\n"
      "reads them within the run (docs/github-actions.md).\n"
      "Exit codes: 0 done, 1 refused or failed to copy, 2 usage error, 3 no such run, job or\n"
      "history, 4 internal error.\n");
  cmd->add_option("RUN", args->run, "Run id, or 'latest'")->required();
  cmd->add_option("JOB", args->job, "Only this job's artifacts");
  cmd->add_option("--download", args->download, "Copy the files into this directory");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunArtifacts(*args, global); };
}

}  // namespace gauntlet::cli
