// `gauntlet mcp`: gauntlet as an MCP server over stdio for coding agents (mcp/stdio.h).
#include <fmt/core.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "mcp/stdio.h"
#include "server/http_mcp.h"
#include "server/server_db.h"

namespace gauntlet::cli {
namespace {

// $GAUNTLET_TOKEN, when set, is the session's identity: the token's name, checked against
// the server's tokens (`gauntlet token create`) in `server_state_dir`, with its scope
// capping the calls as over HTTP. False (said on stderr) for a token that does not
// authenticate or a --as naming someone else.
bool TokenIdentity(const std::string& server_state_dir, mcp::StdioOptions* o) {
  const char* secret = std::getenv("GAUNTLET_TOKEN");
  if (!secret || !*secret) return true;
  const std::string db_path = server_state_dir + "/server.db";
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) {
    fmt::print(stderr,
               "gauntlet mcp: $GAUNTLET_TOKEN is set but {} holds no tokens (--server-state-dir "
               "names the directory `gauntlet token create` used)\n",
               db_path);
    return false;
  }
  auto db = server::ServerDb::Open(db_path);
  auto token = db.ok() ? (*db)->Authenticate(secret, server::NowMs())
                       : Result<std::optional<server::TokenRecord>>(db.error());
  if (!token.ok() || !*token) {
    fmt::print(stderr, "gauntlet mcp: $GAUNTLET_TOKEN: {}\n",
               token.ok() ? "unknown or revoked token" : token.error().message);
    return false;
  }
  const server::TokenRecord t = **token;
  if (!o->identity.empty() && o->identity != t.name) {
    fmt::print(stderr,
               "gauntlet mcp: --as {} names someone else than $GAUNTLET_TOKEN's identity {}: "
               "give one of them\n",
               o->identity, t.name);
    return false;
  }
  o->identity = t.name;
  o->may_call = [t](const mcp::Tool& tool, const nlohmann::json& arguments) {
    return server::ScopeAllows(t.scope, t.name, tool, arguments);
  };
  return true;
}

}  // namespace

void RegisterMcp(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto opt = std::make_shared<mcp::StdioOptions>();
  CLI::App* cmd = app.add_subcommand("mcp", "Serve gauntlet to coding agents over MCP (stdio)");
  cmd->footer(
      "Speaks the Model Context Protocol (2025-11-25, and 2025-06-18, 2025-03-26, 2024-11-05\n"
      "when a client asks) as newline-delimited JSON-RPC on stdin/stdout; logs go to stderr.\n"
      "Tools: validate, plan, run, run_status, logs, diagnose, gate, trust, deploy,\n"
      "deployments, promote, abort, rollback, release; resources: runs, job logs,\n"
      "deployments (runs and deployments take resources/subscribe: an update each time\n"
      "their state changes). Every call passes the trust gateway: the session acts as\n"
      "--as NAME (an author's email or name; default $USER) with the trust level\n"
      "`gauntlet trust NAME`\n"
      "shows; deploy/promote to a protected environment (production, prod) need L3, a real\n"
      "release L2, abort and rollback are always allowed, 120 calls a minute per identity;\n"
      "--policy FILE changes that. --as is not authentication: it narrows what an agent\n"
      "started by this user may do. With $GAUNTLET_TOKEN set, the session is the token's:\n"
      "its name is the identity (it wins over $USER; --as may only repeat it) and its scope\n"
      "caps the calls as over HTTP; the token is checked against the tokens in\n"
      "--server-state-dir (an unknown or revoked one: exit 2). Every call is audited\n"
      "(`gauntlet audit`). When stdin\n"
      "closes, calls in flight and the runs the session started are cancelled.\n"
      "See docs/agents.md for client configuration (Claude Code, Codex, Cursor).\n"
      "Exit codes: 0 the client closed the session, 2 usage, unreadable policy file or a\n"
      "token that does not authenticate.\n");
  cmd->add_option("--as", opt->identity, "The identity the session acts as (default: $USER)");
  cmd->add_option("-f,--file", opt->workplace.file,
                  "Pipeline file (default: gauntlet.yml found upward)");
  cmd->add_option("--state-dir", opt->workplace.state_dir,
                  "The .gauntlet directory (default: beside the file)");
  cmd->add_option("--secrets-file", opt->workplace.secrets_file,
                  "KEY=VALUE secrets for runs and deployments (else from the environment)");
  cmd->add_option("--policy", opt->policy_file, "Policy file (JSON; docs/agents.md)");
  auto server_state_dir = std::make_shared<std::string>(".gauntlet-server");
  cmd->add_option("--server-state-dir", *server_state_dir,
                  "Where $GAUNTLET_TOKEN is checked: the server's state directory, as for "
                  "`gauntlet token` (default: .gauntlet-server)");
  // The protocol on stdout is JSON already; the flag is taken so scripts may pass it.
  cmd->add_flag("--json", global.json, "Accepted: stdout is always JSON-RPC");
  *run = [opt, server_state_dir]() {
    mcp::StdioOptions o = *opt;
    o.workplace.start_dir = CurrentDir();
    if (!TokenIdentity(*server_state_dir, &o)) return 2;
    if (o.identity.empty()) {
      const char* user = std::getenv("USER");
      o.identity = user && *user ? user : "unknown";
    }
    // A client that goes away while we write must end the session, not the process.
    std::signal(SIGPIPE, SIG_IGN);
    return mcp::ServeStdio(o, stdin, stdout);
  };
}

}  // namespace gauntlet::cli
