// The CLI as a client of a running `gauntlet serve` (docs/server.md): commands given
// --server URL, or run with $GAUNTLET_SERVER set, ask the server's API instead of the
// local store and print the same output. Implemented in trigger.cc, the first command
// that talked to the server.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace gauntlet::cli {

struct ServerFlags {
  std::string server;      // --server URL; "" : $GAUNTLET_SERVER
  std::string token_file;  // --token-file F: its first line; "": $GAUNTLET_TOKEN
  std::string repo;        // --repo NAME: which watched repository (one: may be left out)
  // The server to ask: --server, else $GAUNTLET_SERVER; "" means the local store.
  std::string Url() const;
};

// Adds --server, --token-file and --repo to a command that reads history.
void AddServerFlags(CLI::App* cmd, ServerFlags* flags);

struct ServerAnswer {
  int status = 0;
  nlohmann::json body;  // the answer's JSON (an object)
};

// GET `path` (with its query) from the server, with the token. An error when the server
// cannot be reached, the token file cannot be read, or the answer is not JSON.
Result<ServerAnswer> GetFromServer(const ServerFlags& flags, const std::string& path);

// `method` (GET or POST, with `body` as JSON) `path` on the server: GetFromServer's errors.
Result<ServerAnswer> AskServer(const ServerFlags& flags, const std::string& method,
                               const std::string& path,
                               const nlohmann::json& body = nlohmann::json::object());

// GET `path`, a stream of server-sent events, calling `on_event(type, data)` for each event
// (its data parsed as JSON; comments skipped) until it returns false. An error when the
// server cannot be reached, refuses (`refused` gets its answer; the error says so), or
// ends the stream before `on_event` said to stop.
Status FollowServerEvents(
    const ServerFlags& flags, const std::string& path,
    const std::function<bool(const std::string& type, const nlohmann::json& data)>& on_event,
    ServerAnswer* refused);

// A refused call: "gauntlet: the server refused (STATUS): REASON" on stderr; the exit code
// (2 for 400, 3 for 404, 1 otherwise).
int ServerRefused(const ServerAnswer& answer);

// `value` escaped for a query string.
std::string QueryValue(const std::string& value);

}  // namespace gauntlet::cli
