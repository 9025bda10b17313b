// `gauntlet mcp`: gauntlet as an MCP server over stdio for coding agents (mcp/stdio.h).
#include <csignal>
#include <cstdlib>
#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "mcp/stdio.h"

namespace gauntlet::cli {

void RegisterMcp(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto opt = std::make_shared<mcp::StdioOptions>();
  CLI::App* cmd = app.add_subcommand("mcp", "Serve gauntlet to coding agents over MCP (stdio)");
  cmd->footer(
      "Speaks the Model Context Protocol (2025-11-25, and 2025-06-18, 2025-03-26, 2024-11-05\n"
      "when a client asks) as newline-delimited JSON-RPC on stdin/stdout; logs go to stderr.\n"
      "Tools: validate, plan, run, run_status, logs, diagnose, gate, trust, deploy,\n"
      "deployments, promote, abort, rollback, release; resources: runs, job logs,\n"
      "deployments. Every call passes the trust gateway: the session acts as --as NAME (an\n"
      "author's email or name; default $USER) with the trust level `gauntlet trust NAME`\n"
      "shows; deploy/promote to a protected environment (production, prod) need L3, a real\n"
      "release L2, abort and rollback are always allowed, 120 calls a minute per identity;\n"
      "--policy FILE changes that. --as is not authentication: it narrows what an agent\n"
      "started by this user may do. Every call is audited (`gauntlet audit`). When stdin\n"
      "closes, calls in flight and the runs the session started are cancelled.\n"
      "See docs/agents.md for client configuration (Claude Code, Codex, Cursor).\n"
      "Exit codes: 0 the client closed the session, 2 usage or unreadable policy file.\n");
  cmd->add_option("--as", opt->identity, "The identity the session acts as (default: $USER)");
  cmd->add_option("-f,--file", opt->workplace.file,
                  "Pipeline file (default: gauntlet.yml found upward)");
  cmd->add_option("--state-dir", opt->workplace.state_dir,
                  "The .gauntlet directory (default: beside the file)");
  cmd->add_option("--secrets-file", opt->workplace.secrets_file,
                  "KEY=VALUE secrets for runs and deployments (else from the environment)");
  cmd->add_option("--policy", opt->policy_file, "Policy file (JSON; docs/agents.md)");
  // The protocol on stdout is JSON already; the flag is taken so scripts may pass it.
  cmd->add_flag("--json", global.json, "Accepted: stdout is always JSON-RPC");
  *run = [opt]() {
    mcp::StdioOptions o = *opt;
    o.workplace.start_dir = CurrentDir();
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
