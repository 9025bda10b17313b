// `gauntlet serve`: the server (server/server.h); `gauntlet token`: its API tokens.
#include <fmt/core.h>

#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/signals.h"
#include "core/clock.h"
#include "mcp/gateway.h"
#include "server/config_file.h"
#include "server/server.h"

namespace gauntlet::cli {
namespace {

constexpr const char* kDefaultStateDir = ".gauntlet-server";

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> repos;
  server::ServerConfig config;
  std::string secret_file;
  int poll_s = 0;
  std::string config_file;
};

// The config file's values where no flag was given (`given` says whether one was).
Status ApplyFile(ServeFlags& flags, const std::function<bool(const char*)>& given) {
  auto file = server::LoadServerFile(flags.config_file);
  if (!file.ok()) return file.error();
  server::ServerConfig& c = flags.config;
  auto take = [&](const char* flag, const auto& from, auto* to) {
    if (from && !given(flag)) *to = *from;
  };
  take("--listen", file->listen, &flags.listen);
  take("--state-dir", file->state_dir, &c.state_dir);
  take("--pipeline", file->pipeline, &c.pipeline);
  take("--secrets-file", file->secrets_file, &c.secrets_file);
  take("--webhook-secret-file", file->webhook_secret_file, &flags.secret_file);
  take("--jobs", file->jobs, &c.jobs);
  take("--slots", file->slots, &c.slots);
  take("--workspace", file->workspace, &c.workspace);
  take("--keep-failed", file->keep_failed_s, &c.keep_failed_s);
  take("--poll", file->poll_s, &flags.poll_s);
  take("--public-read", file->public_read, &c.public_read);
  take("--rate-limit", file->rate_limit, &c.rate_limit);
  take("--tls-cert", file->tls_cert, &c.tls_cert);
  take("--tls-key", file->tls_key, &c.tls_key);
  take("--public-url", file->public_url, &c.public_url);
  if (file->max_body && !given("--max-body")) c.max_body = static_cast<size_t>(*file->max_body);
  if (file->webhook_secret_env && flags.secret_file.empty()) {
    const char* env = getenv(file->webhook_secret_env->c_str());
    if (!env || !*env)
      return Error::NotFound("webhook_secret_env: $" + *file->webhook_secret_env + " is not set");
    c.webhook_secret = env;
  }
  // Repositories of the file come after those of --repo; a repository's own `poll` wins
  // over the interval of --poll or the file's `poll`.
  for (size_t i = 0; i < file->repos.size(); ++i) {
    server::WatchedRepo r = file->repos[i];
    if (!file->repo_poll_given[i]) r.poll_s = -1;  // the default, set with the flags' repos
    c.repos.push_back(std::move(r));
  }
  return Ok();
}

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

int RunServe(ServeFlags& flags, const std::function<bool(const char*)>& given) {
  server::ServerConfig& c = flags.config;
  if (!flags.config_file.empty()) {
    if (Status s = ApplyFile(flags, given); !s.ok()) return Fail(s.error());
  }
  size_t colon = flags.listen.rfind(':');
  if (colon == std::string::npos) return Fail(Error::Invalid("--listen takes HOST:PORT"));
  c.host = flags.listen.substr(0, colon);
  try {
    c.port = std::stoi(flags.listen.substr(colon + 1));
  } catch (...) {
    return Fail(Error::Invalid("--listen takes HOST:PORT, got '" + flags.listen + "'"));
  }
  for (const std::string& r : flags.repos) {
    c.repos.push_back(ParseRepo(r));
    c.repos.back().poll_s = -1;
  }
  for (server::WatchedRepo& r : c.repos)
    if (r.poll_s < 0) r.poll_s = flags.poll_s;
  if (!flags.secret_file.empty()) {
    std::ifstream in(flags.secret_file);
    if (!in) return Fail(Error::NotFound("cannot read " + flags.secret_file));
    std::getline(in, c.webhook_secret);
  } else if (!c.webhook_secret.empty()) {
    // From the config file's webhook_secret_env.
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
  const std::string url =
      fmt::format("{}://{}:{}", c.tls_cert.empty() ? "http" : "https", c.host, srv.port());
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
      "API call (POST /api/v1/runs with a token of scope trigger: gauntlet token create), a\n"
      "generic webhook (POST /hooks/generic/NAME, signed as GitHub signs or with GitLab's\n"
      "X-Gitlab-Token holding the secret), a fetch every --poll seconds that\n"
      "finds a moved branch, or another pipeline's run ending (on.run). Each pipeline file\n"
      "at the commit (gauntlet.yml and .github/workflows/*.yml) decides by its own `on:`.\n"
      "Each trigger is queued in the state directory before it is acknowledged; runs go one\n"
      "at a time, in order, in a working copy kept per repository and brought to the exact\n"
      "commit (only changed files are written; untracked files are removed, except the\n"
      "pipeline file's caches: and what .gitignore ignores). SIGTERM stops it; a run under\n"
      "way is resumed\n"
      "at the next start. --config FILE: the settings in YAML (flags override them). The\n"
      "progress lines, and each job's start and end, each run's end and each deploy step,\n"
      "stream from GET /api/v1/events. The API also retries runs, lists deployments,\n"
      "promotes, aborts and rolls them back (POST /api/v1/deployments/ID/promote|abort|\n"
      "rollback, a token of scope deploy: queued, driven as gauntlet promote|abort|rollback\n"
      "at the deployment's commit) and gives the gate's verdict of a run or commit, as the\n"
      "CLI's --json shows them. runs, status, logs, cancel, retry, deployments, promote,\n"
      "abort and rollback take --server URL to ask this server instead. Schedules\n"
      "are read from gauntlet.yml and the workflows. A pipeline's notify: URLs get each\n"
      "run's end (with a link: --public-url), every delivery listed by GET\n"
      "/api/v1/notifications and gauntlet notifications. See docs/server.md for the routes, the\n"
      "config file's keys and what is not there yet.\n"
      "MCP clients connect to /mcp (/mcp/NAME with several repositories) with a token:\n"
      "its name is the identity the trust gateway judges (docs/agents.md).\n"
      "--tls-cert/--tls-key: HTTPS in the server itself (or put nginx in front).\n"
      "--json: each progress line is a JSON object (what, detail, queue, repo, event, ref,\n"
      "commit, run_id, at_ms). Exit codes: 0 stopped by a signal, 2 invalid flags, config\n"
      "file (file:line:col) or repository names, 3 the secret file, config file or secret\n"
      "variable is missing, 4 the port is taken or the state cannot be opened.\n");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0: any free one)")
      ->capture_default_str();
  cmd->add_option("--repo", flags->repos,
                  "[NAME=]PATH or URL of a repository to watch (repeatable; or repos: of "
                  "--config)");
  cmd->add_option("--config", flags->config_file,
                  "YAML file of settings (docs/server.md); flags given override its values")
      ->check(CLI::ExistingFile);
  cmd->add_option("--poll", flags->poll_s,
                  "Fetch each repository every SECONDS; a moved branch or tag is a push "
                  "(0: no polling; for a URL, or a path without the hook)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-j,--jobs", flags->config.jobs, "Jobs each run runs at once (default: cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--slots", flags->config.slots,
                  "Runs at once, over all repositories; one repository's runs go one at a time")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--workspace", flags->config.workspace,
                  "kept: one working copy per repository, brought to each commit; fresh: a "
                  "new one per run, removed after success (a repository's own workspace: "
                  "in --config wins)")
      ->check(CLI::IsMember({"kept", "fresh"}))
      ->capture_default_str();
  cmd->add_option("--keep-failed", flags->config.keep_failed_s,
                  "Seconds a fresh workspace of a run that did not succeed is kept")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
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
  cmd->add_option("--rate-limit", flags->config.rate_limit,
                  "Requests a minute per API token, and per address for webhooks; more get "
                  "429 with Retry-After (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--max-body", flags->config.max_body, "Largest request body, in bytes")
      ->capture_default_str();
  cmd->add_option("--tls-cert", flags->config.tls_cert,
                  "Serve HTTPS with this PEM certificate (chain) file; with --tls-key");
  cmd->add_option("--tls-key", flags->config.tls_key, "The PEM private key of --tls-cert");
  cmd->add_option("--public-url", flags->config.public_url,
                  "The server's address as people reach it (https://ci.example.com), for the "
                  "run links in notifications (default: the address it listens on)");
  cmd->add_option("--mcp-policy", flags->config.mcp_policy_file,
                  "The trust gateway's policy file (JSON) for MCP at /mcp (docs/agents.md)");
  cmd->add_flag("--json", global.json, "Progress lines as JSON objects");
  *run = [flags, &global, cmd]() -> int {
    flags->config.json = global.json;
    return RunServe(*flags, [cmd](const char* flag) { return cmd->count(flag) > 0; });
  };
}

}  // namespace gauntlet::cli
