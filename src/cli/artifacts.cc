// `gauntlet artifacts RUN [JOB] [--download DIR]`: the files jobs of a run stored with
// `artifacts:`, listed or copied out.
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/bytes.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "store/artifact_manifest.h"
#include "store/artifact_store.h"

namespace gauntlet::cli {
namespace {

struct ArtifactsArgs {
  std::string run, job, download, state_dir;
};

struct JobFiles {
  std::string job;
  std::vector<store::ArtifactEntry> files;
};

int Fail(const std::string& message, int code) {
  fmt::print(stderr, "gauntlet: {}\n", message);
  return code;
}

// A job given by its full name, or by its base name (every matrix variant).
bool Selected(const std::string& name, const std::string& wanted) {
  return wanted.empty() || name == wanted || name.starts_with(wanted + " (");
}

int RunArtifacts(const ArtifactsArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto h = OpenHistory(args.state_dir, &code);
  if (!h) return code;
  auto run = ResolveRun(*h->store, args.run, &code);
  if (!run) return code;
  auto records = h->store->GetArtifacts(run->id);
  if (!records.ok()) return Fail(records.error().message, kExitInternal);

  std::vector<JobFiles> jobs;
  for (const store::ArtifactRecord& rec : *records) {
    if (!Selected(rec.job, args.job)) continue;
    // Validated here, before anything is shown or written: a tampered record with a
    // name that escapes or a hash that is not a digest is refused.
    auto manifest = store::ManifestFromJson(rec.manifest);
    if (!manifest.ok()) {
      return Fail(fmt::format("run {}, job {}: refusing its artifact record: {}", run->id, rec.job,
                              manifest.error().message),
                  kExitFailed);
    }
    jobs.push_back({rec.job, std::move(*manifest)});
  }
  if (!args.job.empty() && jobs.empty()) {
    return Fail(fmt::format("run {} has no artifacts of a job named '{}'", run->id, args.job),
                kExitNotFound);
  }

  uint64_t files = 0, bytes = 0;
  for (const JobFiles& j : jobs) {
    files += j.files.size();
    for (const auto& f : j.files) bytes += f.size;
  }

  std::string dest;
  if (!args.download.empty()) {
    // Two jobs leaving different files at one path cannot both be copied out there.
    std::map<std::string, std::pair<std::string, std::string>> seen;  // path -> job, hash
    for (const JobFiles& j : jobs) {
      for (const auto& f : j.files) {
        auto [it, fresh] = seen.emplace(f.path, std::make_pair(j.job, f.hash));
        if (!fresh && it->second.second != f.hash) {
          if (it->second.first == j.job) {
            return Fail(fmt::format("job '{}' lists '{}' twice with different contents: its "
                                    "artifact record is damaged",
                                    j.job, f.path),
                        kExitFailed);
          }
          return Fail(fmt::format("jobs '{}' and '{}' both stored '{}' with different "
                                  "contents: name one job to download",
                                  it->second.first, j.job, f.path),
                      kExitFailed);
        }
      }
    }
    std::error_code ec;
    dest = std::filesystem::absolute(args.download, ec).string();
    std::filesystem::create_directories(dest, ec);
    if (ec) return Fail("cannot create " + dest + ": " + ec.message(), kExitFailed);
    store::ArtifactStore objects(h->ws.artifacts_dir());
    for (const JobFiles& j : jobs) {
      auto r = objects.Restore(j.files, dest);
      if (!r.ok()) {
        return Fail(fmt::format("downloading the artifacts of {}: {}", j.job, r.error().message),
                    kExitFailed);
      }
    }
  }

  if (global.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const JobFiles& j : jobs) {
      for (const auto& f : j.files) {
        list.push_back({{"job", j.job},
                        {"path", f.path},
                        {"size", f.size},
                        {"hash", f.hash},
                        {"mode", f.mode}});
      }
    }
    nlohmann::json out = {
        {"run", run->id}, {"artifacts", list}, {"files", files}, {"bytes", bytes}};
    if (!dest.empty()) out["downloaded_to"] = dest;
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (files == 0) {
    fmt::print("run {}: no artifacts\n", run->id);
    return kExitOk;
  }
  size_t jw = 3, pw = 4;
  for (const JobFiles& j : jobs) {
    jw = std::max(jw, j.job.size());
    for (const auto& f : j.files) pw = std::max(pw, f.path.size());
  }
  fmt::print("{:<{}}  {:<{}}  {:>10}\n", "JOB", jw, "PATH", pw, "SIZE");
  for (const JobFiles& j : jobs) {
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
