// `gauntlet hook install --repo PATH` puts a git hook into a local repository that tells a
// running `gauntlet serve` about every pushed or committed ref at once; the hook runs
// `gauntlet hook notify`, which posts the ref updates (git's "old new ref" lines) to
// POST /api/v1/git/push. A push never fails because of it: an unreachable server is a
// warning on the pusher's terminal.
#include <fmt/core.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"

namespace gauntlet::cli {
namespace {

namespace fs = std::filesystem;

struct HookFlags {
  std::string repo, name, server = "http://127.0.0.1:8080", token_file;
  bool force = false;
};

// A word for a POSIX shell script: single-quoted, quotes escaped.
std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// This binary's own path, so the hook runs the same gauntlet.
std::string SelfPath() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "gauntlet" : p.string();
}

int Install(const HookFlags& f, bool json) {
  std::error_code ec;
  const fs::path repo = fs::absolute(f.repo, ec);
  const bool working = fs::is_directory(repo / ".git", ec);
  const bool bare = !working && fs::is_regular_file(repo / "HEAD", ec) &&
                    fs::is_directory(repo / "objects", ec);
  if (!working && !bare) return Fail(Error::NotFound(f.repo + " is not a git repository"));
  if (f.token_file.empty() || !fs::is_regular_file(f.token_file, ec))
    return Fail(Error::Invalid("--token-file: a file holding a token with scope trigger "
                               "(gauntlet token create --scope trigger > FILE)"));
  // A bare repository is pushed to: post-receive sees every updated ref once. A working
  // repository is committed, merged and reset in: reference-transaction sees those too.
  const fs::path hooks = working ? repo / ".git/hooks" : repo / "hooks";
  const std::string hook = working ? "reference-transaction" : "post-receive";
  const fs::path path = hooks / hook;
  if (fs::exists(path, ec) && !f.force) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find("gauntlet hook notify") == std::string::npos)
      return Fail(Error{path.string() + " exists and is not gauntlet's: --force replaces it",
                        ErrorKind::kConflict});
  }
  const std::string name = f.name.empty() ? repo.filename().string() : f.name;
  std::string script = "#!/bin/sh\n# Installed by `gauntlet hook install`: tells gauntlet serve about ref updates.\n";
  if (working)  // only once the update is done, and not for the prepare phases
    script += "[ \"$1\" = committed ] || { cat >/dev/null; exit 0; }\n";
  script += "exec " + Quoted(SelfPath()) + " hook notify --server " + Quoted(f.server) +
            " --name " + Quoted(name) + " --token-file " +
            Quoted(fs::absolute(f.token_file, ec).string()) + "\n";
  fs::create_directories(hooks, ec);
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << script;
    if (!out) return Fail(Error::Errno("writing " + tmp.string(), errno));
  }
  chmod(tmp.c_str(), 0755);
  fs::rename(tmp, path, ec);
  if (ec) return Fail(Error::Errno("installing " + path.string(), ec.value()));
  if (json)
    fmt::print("{}\n", nlohmann::json{{"hook", path.string()}, {"repo", name}, {"server", f.server}}
                           .dump(2));
  else
    fmt::print("installed {} ({} -> {} as '{}')\n", path.string(), hook, f.server, name);
  return kExitOk;
}

// Reads git's "old new ref" lines from stdin and posts them; never fails the git command.
int Notify(const HookFlags& f) {
  std::string lines((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (lines.empty()) return kExitOk;
  std::ifstream in(f.token_file);
  std::string token;
  std::getline(in, token);
  httplib::Client client(f.server);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  auto res = client.Post("/api/v1/git/push?repo=" + httplib::detail::encode_query_param(f.name),
                         {{"Authorization", "Bearer " + token}}, lines, "text/plain");
  if (!res)
    fmt::print(stderr, "gauntlet: the server at {} was not told about this push: {}\n", f.server,
               httplib::to_string(res.error()));
  else if (res->status != 202)
    fmt::print(stderr, "gauntlet: the server refused this push ({}): {}\n", res->status, res->body);
  return kExitOk;
}

}  // namespace

void RegisterHook(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<HookFlags>();
  CLI::App* cmd = app.add_subcommand("hook", "Tell a running gauntlet serve about pushes at once");
  cmd->footer(
      "install puts a hook into a local repository: post-receive for a bare repository,\n"
      "reference-transaction for a working one (commits, merges and resets too). The hook\n"
      "runs `gauntlet hook notify`, which posts git's ref updates to the server\n"
      "(POST /api/v1/git/push, a token with scope trigger read from --token-file). A push\n"
      "never fails because of the hook. NAME is the name the server watches the\n"
      "repository by (default: its directory's name). See docs/server.md.\n"
      "--json (install): {\"hook\", \"repo\", \"server\"}.\n"
      "Exit codes: 0 installed (notify: always 0), 1 another hook is there (--force), 2 usage\n"
      "or no token file, 3 not a git repository.\n");
  cmd->require_subcommand(1);
  CLI::App* install = cmd->add_subcommand("install", "Install the hook into a repository");
  install->add_option("--repo", flags->repo, "The repository (bare or working)")->required();
  install->add_option("--token-file", flags->token_file, "A file with a token of scope trigger")
      ->required();
  install->add_flag("--force", flags->force, "Replace a hook that is not gauntlet's");
  install->add_flag("--json", global.json, "Print JSON");
  CLI::App* notify = cmd->add_subcommand("notify", "What the hook runs (reads git's ref lines)");
  notify->add_option("--token-file", flags->token_file, "A file with a token of scope trigger")
      ->required();
  for (CLI::App* sub : {install, notify}) {
    sub->add_option("--server", flags->server, "The server's URL")->capture_default_str();
    sub->add_option("--name", flags->name, "The repository's name at the server");
  }
  *run = [flags, cmd, &global]() -> int {
    if (cmd->got_subcommand("install")) return Install(*flags, global.json);
    return Notify(*flags);
  };
}

}  // namespace gauntlet::cli
