// `gauntlet approvals` and `gauntlet approve`: the approval requests agents' deploys and
// promotes made when their trust was not enough, and releases the gate asked a person
// about (store/approvals.h), and a person's decision on one.
#include <fmt/core.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/history.h"
#include "core/clock.h"
#include "store/approvals.h"

namespace gauntlet::cli {
namespace {

struct ApproveArgs {
  int64_t id = 0;
  bool deny = false;
  bool all = false;
  std::string reason, state_dir;
};

nlohmann::json ApprovalJson(const store::ApprovalRecord& r) {
  return {{"id", r.id},
          {"kind", r.kind},
          {"pipeline", r.pipeline},
          {"environment", r.environment},
          {"commit", r.commit},
          {"version", r.version},
          {"requested_by", r.requested_by},
          {"state", r.state},
          {"decided_by", r.decided_by},
          {"reason", r.reason},
          {"requested_ms", r.requested_ms},
          {"decided_ms", r.decided_ms},
          {"used_ms", r.used_ms}};
}

// What the request is for: a deploy's or promote's environment, a release's package.
std::string Subject(const store::ApprovalRecord& r) {
  std::string s = r.pipeline;
  if (r.kind == "release") {
    if (!r.environment.empty()) s += " package " + r.environment;
  } else {
    s += " " + r.environment;
  }
  return s + (r.version.empty() ? "" : " " + r.version);
}

std::string Line(const store::ApprovalRecord& r) {
  return fmt::format("#{:<4} {:<9} {:<7} {} {} asked by {} at {}{}", r.id, r.state, r.kind,
                     Subject(r), r.commit.substr(0, 12), r.requested_by, LocalTime(r.requested_ms),
                     r.decided_by.empty() ? "" : "; decided by " + r.decided_by +
                                                     (r.reason.empty() ? "" : ": " + r.reason) +
                                                     (r.used_ms ? " (used)" : ""));
}

// The approval book of the history `state_dir` names (else found from here).
std::unique_ptr<store::ApprovalBook> OpenBook(const std::string& state_dir, int* code) {
  auto h = OpenHistory(state_dir, code);
  if (!h) return nullptr;
  auto book = store::ApprovalBook::Open(h->ws.db_path());
  if (!book.ok()) {
    *code = Fail(book.error());
    return nullptr;
  }
  return std::move(*book);
}

int RunApprovals(const ApproveArgs& args, const GlobalOptions& global) {
  int code = kExitOk;
  auto book = OpenBook(args.state_dir, &code);
  if (!book) return code;
  auto list = book->List(!args.all, 100, RealClock().UnixMs());
  if (!list.ok()) return Fail(list.error());
  if (global.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *list) out.push_back(ApprovalJson(r));
    fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }
  if (list->empty()) fmt::print("no {}approval requests\n", args.all ? "" : "pending ");
  for (const auto& r : *list) fmt::print("{}\n", Line(r));
  return kExitOk;
}

// The person deciding: the account running this command (not $USER, which anyone sets).
std::string Approver() {
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name) return pw->pw_name;
  return "uid " + std::to_string(getuid());
}

int RunApprove(const ApproveArgs& args, const GlobalOptions& global) {
  // A job of a run (which an agent may have written) has no terminal and carries
  // GAUNTLET_RUN_ID: it may not approve what its author asked for.
  if (std::getenv("GAUNTLET_RUN_ID") || std::getenv("GAUNTLET_JOB"))
    return Fail(Error::Invalid("approvals are not made from inside a pipeline job"));
  if (!isatty(STDIN_FILENO))
    return Fail(Error::Invalid(
        "gauntlet approve is for a person at a terminal: stdin is not one (an agent's tool call "
        "or a script cannot approve)"));
  int code = kExitOk;
  auto book = OpenBook(args.state_dir, &code);
  if (!book) return code;
  const int64_t now = RealClock().UnixMs();
  auto asked = book->Get(args.id, now);
  if (!asked.ok()) return Fail(asked.error());
  if (!*asked) return Fail(Error::NotFound(fmt::format("no approval request {}", args.id)));
  const std::string me = Approver();
  if ((*asked)->requested_by == me)
    return Fail(Error::Invalid(fmt::format(
        "approval request {} was made by {}, who may not approve it", args.id, me)));
  auto decided = book->Decide(args.id, !args.deny, me, args.reason, now);
  if (!decided.ok()) return Fail(decided.error());
  if (global.json) {
    fmt::print("{}\n", ApprovalJson(*decided).dump(2));
  } else {
    fmt::print("{}\n", Line(*decided));
  }
  return kExitOk;
}

}  // namespace

void RegisterApprovals(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<ApproveArgs>();
  CLI::App* cmd = app.add_subcommand("approvals", "List the approval requests agents made");
  cmd->footer(
      "An agent (gauntlet mcp, or /mcp of gauntlet serve) whose trust level is below what a\n"
      "deploy or promote to a protected environment needs gets an approval request instead,\n"
      "one per identity, environment, version and commit; a release whose gate says\n"
      "needs-approval (release.gate: approval) asks too, and waits (kind release: its\n"
      "pipeline, package, version and commit). This lists the pending ones, newest first\n"
      "(--all: every state: pending, approved, denied, expired). A request not decided in\n"
      "24 h, or an approval not used in 24 h, expires. `gauntlet approve N` decides.\n"
      "Exit codes: 0 listed, 3 no history, 4 internal error.\n");
  cmd->add_flag("--all", args->all, "Every request, not only the pending ones");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to read");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunApprovals(*args, global); };
}

void RegisterApprove(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto args = std::make_shared<ApproveArgs>();
  CLI::App* cmd = app.add_subcommand("approve", "Approve (or deny) an agent's approval request");
  cmd->footer(
      "Decides pending approval request N (`gauntlet approvals` lists them). Approved, the\n"
      "same identity's same deploy or promote (environment, version, commit) passes the\n"
      "trust gateway once, and its audit row names the approval; a waiting release goes on\n"
      "(denied: it ends without a tag). Only a person decides: the command\n"
      "refuses without a terminal on stdin or inside a pipeline job, and the identity that\n"
      "asked may not approve its own request; the decision is recorded with the account\n"
      "running it. Exit codes: 0 decided, 1 not pending any more (decided or expired),\n"
      "2 refused (no terminal, own request), 3 no such request or no history, 4 internal\n"
      "error.\n");
  cmd->add_option("N", args->id, "The approval request's id")->required()->check(CLI::PositiveNumber);
  cmd->add_flag("--deny", args->deny, "Deny it instead");
  cmd->add_option("--reason", args->reason, "Why, kept with the decision");
  cmd->add_option("--state-dir", args->state_dir, "The .gauntlet directory to use");
  cmd->add_flag("--json", global.json, "Machine-readable output on stdout");
  *run = [args, &global]() { return RunApprove(*args, global); };
}

}  // namespace gauntlet::cli
