// `gauntlet token create|ls|revoke`: the server's API tokens (server/server_db.h).
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "core/clock.h"
#include "server/server_db.h"

namespace gauntlet::cli {
namespace {

struct TokenFlags {
  std::string state_dir = ".gauntlet-server";
  std::string name, scope = "read", which;
};

nlohmann::json TokenJson(const server::TokenRecord& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"scope", server::ToString(t.scope)},
          {"created_ms", t.created_ms},
          {"revoked_ms", t.revoked_ms},
          {"last_used_ms", t.last_used_ms}};
}

Result<std::unique_ptr<server::ServerDb>> OpenDb(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  return server::ServerDb::Open(state_dir + "/server.db");
}

int Create(const TokenFlags& f, bool json) {
  auto scope = server::ParseScope(f.scope);
  if (!scope) return Fail(Error::Invalid("--scope is read, trigger, deploy or admin"));
  auto db = OpenDb(f.state_dir);
  if (!db.ok()) return Fail(db.error());
  auto made = (*db)->CreateToken(f.name, *scope, RealClock().UnixMs());
  if (!made.ok()) return Fail(made.error());
  if (json) {
    nlohmann::json j = TokenJson(made->first);
    j["token"] = made->second;
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}\n", made->second);
    fmt::print(stderr, "token '{}' (scope {}): shown once, only its hash is kept\n", f.name,
               server::ToString(*scope));
  }
  return kExitOk;
}

int List(const TokenFlags& f, bool json) {
  auto db = OpenDb(f.state_dir);
  if (!db.ok()) return Fail(db.error());
  auto list = (*db)->ListTokens();
  if (!list.ok()) return Fail(list.error());
  nlohmann::json all = nlohmann::json::array();
  for (const auto& t : *list) {
    all.push_back(TokenJson(t));
    if (!json)
      fmt::print("{:>4}  {:<20} {:<8} {}\n", t.id, t.name, server::ToString(t.scope),
                 t.revoked_ms ? "revoked" : "active");
  }
  if (json) fmt::print("{}\n", all.dump(2));
  return kExitOk;
}

int Revoke(const TokenFlags& f, bool json) {
  auto db = OpenDb(f.state_dir);
  if (!db.ok()) return Fail(db.error());
  auto revoked = (*db)->RevokeToken(f.which, RealClock().UnixMs());
  if (!revoked.ok()) return Fail(revoked.error());
  if (json)
    fmt::print("{}\n", TokenJson(*revoked).dump(2));
  else
    fmt::print("token '{}' revoked\n", revoked->name);
  return kExitOk;
}

}  // namespace

void RegisterToken(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<TokenFlags>();
  CLI::App* cmd = app.add_subcommand("token", "Create, list and revoke the server's API tokens");
  cmd->footer(
      "Scopes, each including the ones before: read (GET routes), trigger (start runs),\n"
      "deploy, admin. A token is printed once; the server keeps only its SHA-256.\n"
      "--json (after the subcommand): the record(s); create adds \"token\".\n"
      "Exit codes: 0 done, 1 an active token already has that name, 2 usage or an unknown\n"
      "scope, 3 no active token matches, 4 the state cannot be opened.\n");
  cmd->require_subcommand(1);
  CLI::App* create = cmd->add_subcommand("create", "A new token, printed once");
  create->add_option("--name", flags->name, "What it is for (unique among active tokens)")
      ->required();
  create->add_option("--scope", flags->scope, "read, trigger, deploy or admin")
      ->capture_default_str();
  CLI::App* ls = cmd->add_subcommand("ls", "The tokens, active and revoked");
  CLI::App* revoke = cmd->add_subcommand("revoke", "Revoke a token: it stops working at once");
  revoke->add_option("TOKEN", flags->which, "Its name or id")->required();
  for (CLI::App* sub : {create, ls, revoke}) {
    sub->add_option("--state-dir", flags->state_dir, "The server's state directory")
        ->capture_default_str();
    sub->add_flag("--json", global.json, "Print JSON");
  }
  *run = [flags, cmd, &global]() -> int {
    if (cmd->got_subcommand("create")) return Create(*flags, global.json);
    if (cmd->got_subcommand("ls")) return List(*flags, global.json);
    return Revoke(*flags, global.json);
  };
}

}  // namespace gauntlet::cli
