// `gauntlet serve`: the server (server/server.h); `gauntlet token`: its API tokens.
#include <fmt/core.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/signals.h"
#include "core/clock.h"
#include "mcp/gateway.h"
#include "server/server.h"

namespace gauntlet::cli {
namespace {

constexpr const char* kDefaultStateDir = ".gauntlet-server";

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> repos;
  server::ServerConfig config;
  std::string secret_file;
};

// "NAME=PATH" or "PATH" (named after its last component, without ".git").
server::WatchedRepo ParseRepo(const std::string& arg) {
  server::WatchedRepo r;
  size_t eq = arg.find('=');
  r.source = eq == std::string::npos ? arg : arg.substr(eq + 1);
  if (eq != std::string::npos) {
    r.name = arg.substr(0, eq);
  } else {
    std::string path = r.source;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    r.name = path.substr(path.find_last_of('/') + 1);
    if (r.name.size() > 4 && r.name.ends_with(".git")) r.name.resize(r.name.size() - 4);
  }
  return r;
}

int RunServe(ServeFlags& flags) {
  server::ServerConfig& c = flags.config;
  size_t colon = flags.listen.rfind(':');
  if (colon == std::string::npos) return Fail(Error::Invalid("--listen takes HOST:PORT"));
  c.host = flags.listen.substr(0, colon);
  try {
    c.port = std::stoi(flags.listen.substr(colon + 1));
  } catch (...) {
    return Fail(Error::Invalid("--listen takes HOST:PORT, got '" + flags.listen + "'"));
  }
  for (const std::string& r : flags.repos) c.repos.push_back(ParseRepo(r));
  if (!flags.secret_file.empty()) {
    std::ifstream in(flags.secret_file);
    if (!in) return Fail(Error::NotFound("cannot read " + flags.secret_file));
    std::getline(in, c.webhook_secret);
  } else if (const char* env = getenv("GAUNTLET_WEBHOOK_SECRET")) {
    c.webhook_secret = env;
  }
  if (!c.mcp_policy_file.empty())
    if (auto p = mcp::LoadPolicy(c.mcp_policy_file); !p.ok()) return Fail(Error::Invalid(p.error().message));
  CancelOnSignals signals(nullptr);  // before the server's threads start
  server::Server srv(c);
  if (Status s = srv.Start(); !s.ok()) return Fail(s.error());
  signals.Then([&srv] { srv.Stop(); });
  if (signals.signal() != 0) srv.Stop();
  const std::string url = fmt::format("http://{}:{}", c.host, srv.port());
  if (c.json)
    fmt::print("{}\n", nlohmann::json{{"what", "listening"}, {"url", url},
                                      {"repositories", c.repos.size()}, {"state_dir", c.state_dir}}
                           .dump());
  else
    fmt::print("gauntlet serve: listening on {} ({} repositor{}, state in {})\n", url,
               c.repos.size(), c.repos.size() == 1 ? "y" : "ies", c.state_dir);
  fflush(stdout);
  srv.Serve();
  srv.Stop();
  fmt::print("{}\n", c.json ? nlohmann::json{{"what", "stopped"}}.dump() : "gauntlet serve: stopped");
  return kExitOk;
}

}  // namespace

void RegisterServe(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the server: webhooks and the API start runs");
  cmd->footer(
      "Watches repositories and runs their pipeline (gauntlet.yml at the repository's root)\n"
      "when a trigger names a commit: a GitHub push webhook (POST /hooks/github, signed with\n"
      "--webhook-secret-file, matched against the pipeline's `on: push` at that commit) or an\n"
      "API call (POST /api/v1/runs with a token of scope trigger: gauntlet token create).\n"
      "Each trigger is queued in the state directory before it is acknowledged; runs go one\n"
      "at a time, in order, in a working copy kept per repository and brought to the exact\n"
      "commit (only changed files are written). SIGTERM stops it; a run under way is resumed\n"
      "at the next start. See docs/server.md for the routes and what is not there yet.\n"
      "MCP clients connect to /mcp (/mcp/NAME with several repositories) with a token:\n"
      "its name is the identity the trust gateway judges (docs/agents.md).\n"
      "--json: each progress line is a JSON object (what, detail, queue, repo, event, ref,\n"
      "commit, run_id, at_ms). Exit codes: 0 stopped by a signal, 2 invalid flags or\n"
      "repository names, 3 the secret file is missing, 4 the port is taken or the state\n"
      "cannot be opened.\n");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0: any free one)")
      ->capture_default_str();
  cmd->add_option("--repo", flags->repos, "[NAME=]PATH of a repository to watch (repeatable)")
      ->required();
  cmd->add_option("-j,--jobs", flags->config.jobs, "Jobs each run runs at once (default: cores)")
      ->check(CLI::NonNegativeNumber);
  flags->config.state_dir = kDefaultStateDir;
  cmd->add_option("--state-dir", flags->config.state_dir,
                  "Queue, tokens, workspaces and run history")
      ->capture_default_str();
  cmd->add_option("--pipeline", flags->config.pipeline,
                  "The pipeline file, relative to each repository's root")
      ->capture_default_str();
  cmd->add_option("--webhook-secret-file", flags->secret_file,
                  "File whose first line is the webhooks' HMAC secret (or set "
                  "GAUNTLET_WEBHOOK_SECRET); without one, webhooks are refused");
  cmd->add_option("--secrets-file", flags->config.secrets_file,
                  "KEY=VALUE lines for the pipelines' secrets; masked in all output");
  cmd->add_flag("--public-read", flags->config.public_read, "GET routes need no token");
  cmd->add_option("--max-body", flags->config.max_body, "Largest request body, in bytes")
      ->capture_default_str();
  cmd->add_option("--mcp-policy", flags->config.mcp_policy_file,
                  "The trust gateway's policy file (JSON) for MCP at /mcp (docs/agents.md)");
  cmd->add_flag("--json", global.json, "Progress lines as JSON objects");
  *run = [flags, &global]() -> int {
    flags->config.json = global.json;
    return RunServe(*flags);
  };
}

}  // namespace gauntlet::cli
