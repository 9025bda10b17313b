// `gauntlet release`: from a green commit of a release branch to a version, a changelog,
// a tag, a push and a deployment (release/release.h; docs/release.md).
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/pipeline_arg.h"
#include "engine/secrets.h"
#include "engine/workspace.h"
#include "release/release.h"

namespace gauntlet::cli {
namespace {

// Exit codes of `release` besides 0, 1, 2, 3, 4, 6 (docs/cli.md).
constexpr int kExitNeedsApproval = 10;
constexpr int kExitRejected = 11;
constexpr int kExitNothingToRelease = 12;
constexpr int kExitNotDeployed = 13;
constexpr int kExitDenied = 14;

struct ReleaseArgs {
  std::string file, state_dir, secrets_file;
  release::ReleaseRequest request;
};

int ExitFor(const std::string& status) {
  if (status == "released" || status == "deployed" || status == "dry_run") return kExitOk;
  if (status == "nothing_to_release") return kExitNothingToRelease;
  if (status == "released_not_deployed") return kExitNotDeployed;
  if (status == "needs_approval") return kExitNeedsApproval;
  if (status == "rejected") return kExitRejected;
  if (status == "denied") return kExitDenied;
  return kExitFailed;
}

void PrintPlan(const release::ReleaseOutcome& out) {
  const release::ReleaseState& s = out.state;
  fmt::print("\ndry run: nothing was changed\n");
  if (s.version.empty()) return;
  fmt::print("version  {} -> {} ({})\ntag      {}\n", s.previous_version.empty() ? "none" :
             s.previous_version, s.version, s.bump, s.tag);
  if (out.plan.contains("files")) {
    for (const auto& f : out.plan["files"]) {
      const std::string from = f["from"].get<std::string>();
      fmt::print("file     {}: {}{}\n", f["path"].get<std::string>(),
                 from.empty() ? "" : from + " -> ", f["to"].get<std::string>());
    }
  }
  if (out.plan.contains("commit_message"))
    fmt::print("commit   {}\n", out.plan["commit_message"].get<std::string>().substr(
                                    0, out.plan["commit_message"].get<std::string>().find('\n')));
  if (out.plan.contains("quality"))
    fmt::print("quality  {}\n", out.plan["quality"]["jobs"].dump());
  if (out.plan.contains("push")) fmt::print("push     {}\n", out.plan["push"].dump());
  if (out.plan.contains("deploy")) fmt::print("deploy   {}\n", out.plan["deploy"].dump());
  fmt::print("\n{}", s.changelog);
}

int RunRelease(ReleaseArgs& args, const GlobalOptions& global) {
  engine::LoadedPipeline loaded;
  if (int code = LoadPipeline(args.file, &loaded); code != kExitOk || !loaded.ok())
    return ReportLoadFailure(loaded, global, "invalid");
  auto secrets = engine::CollectSecrets(loaded.pipeline(), args.secrets_file);
  if (!secrets.ok()) return Fail(secrets.error());
  release::ReleaseRequest req = args.request;
  req.pipeline = &loaded;
  req.workspace = engine::WorkspaceForFile(loaded.file, args.state_dir);
  req.secrets = std::move(*secrets);
  req.may_wait = true;  // a person's terminal, or a script that chose to wait
  // Progress on stderr with --json, so stdout holds only the document.
  req.print = [&global](const std::string& line) {
    std::FILE* to = global.json ? stderr : stdout;
    fmt::print(to, "{}\n", line);
    std::fflush(to);  // a waiting release's line must reach a pipe now, not at exit
  };
  // For tests of resuming: the process kills itself for real right after that step.
  if (const char* at = std::getenv("GAUNTLET_TEST_RELEASE_KILL_AFTER"); at && *at) {
    const std::string step = at;
    req.after_step = [step](std::string_view done) {
      if (done == step) ::kill(::getpid(), SIGKILL);
    };
  }
  auto out = release::Run(req);
  if (!out.ok()) return Fail(out.error());
  const release::ReleaseState& s = out->state;
  if (global.json) {
    nlohmann::json doc = release::ToJson(s);
    if (req.dry_run) doc["plan"] = out->plan;
    fmt::print("{}\n", doc.dump(2));
  } else {
    if (req.dry_run) PrintPlan(*out);
    fmt::print("{}{}{}\n", s.status, s.tag.empty() ? "" : " " + s.tag,
               s.reason.empty() ? "" : ": " + s.reason);
    if (!out->status_file.empty()) fmt::print("status file: {}\n", out->status_file);
  }
  if (req.dry_run && s.status == "nothing_to_release") return kExitNothingToRelease;
  return ExitFor(s.status);
}

}  // namespace

void RegisterRelease(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<ReleaseArgs>();
  CLI::App* cmd = app.add_subcommand("release", "Version, tag, push and deploy a green commit");
  cmd->footer(
      "Configured by the release: section of the pipeline file (docs/release.md). Steps:\n"
      "verify (a release branch, a clean work tree, HEAD equal to the remote's branch),\n"
      "analyse (the last release tag in semver order, the Conventional Commits since it:\n"
      "feat -> minor, fix/perf -> patch, breaking -> major, minor below 1.0.0; Release-As),\n"
      "quality (a green run of HEAD is reused, else the quality jobs run; the gate's verdict),\n"
      "version (bumped files, changelog section, commit chore(release): TAG, annotated tag),\n"
      "push (branch and tag, when release.remote is set), deploy (release.environment).\n"
      "Each step is recorded in the store and in the status file (default\n"
      ".gauntlet/last-release.json, replaced atomically after every step). Run again after a\n"
      "failure: it continues the unfinished release (never a second tag or changelog\n"
      "section). One release at a time per state directory: another is refused, naming it.\n"
      "--dry-run prints the version, notes, files, tag, jobs, push and deploy it would do and\n"
      "changes nothing (no file, ref or record; the remote's refs are only listed).\n"
      "With gate: approval, a needs-approval verdict makes an approval request and waits\n"
      "for a person (`gauntlet approve N` in another terminal; approval: stop ends instead,\n"
      "exit 10, until --approve). Killed while waiting, a re-run waits on the same request.\n"
      "Exit codes: 0 released (and deployed), 1 a step failed, 2 usage or invalid file,\n"
      "3 no pipeline file, 4 internal error, 6 another release is running, 10 the gate\n"
      "needs approval (approval: stop; --approve), 11 the gate rejects HEAD, 12 nothing to\n"
      "release, 13 released but not deployed (the deployment rolled back), 14 a person\n"
      "denied the approval request or nobody decided within 24 h (approval: wait).\n");
  cmd->add_option("-f,--file", args->file, "The pipeline file (default: gauntlet.yml, upward)");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory (default: beside the file)");
  cmd->add_option("--secrets-file", args->secrets_file, "KEY=VALUE secrets for jobs and deploys");
  cmd->add_flag("--dry-run", args->request.dry_run, "Print what would be done; change nothing");
  cmd->add_flag("--no-quality", args->request.no_quality, "Skip the quality jobs and the gate");
  cmd->add_flag("--no-deploy", args->request.no_deploy, "Do not deploy");
  cmd->add_flag("--approve", args->request.approved,
                "A person approves HEAD here when the gate asks for it (gate: approval): no "
                "request, no wait");
  cmd->add_option("--env", args->request.environment, "Deploy to this environment instead");
  cmd->add_option("--as", args->request.as, "Release exactly this version (e.g. 2.0.0)");
  cmd->add_option("--package", args->request.package, "The package to release (monorepo)");
  cmd->add_option("--status-file", args->request.status_file,
                  "Where to write the status (default: .gauntlet/last-release.json)");
  cmd->add_flag("--json", global.json, "Machine-readable output: the status document");
  *run = [args, &global]() { return RunRelease(*args, global); };
}

}  // namespace gauntlet::cli
