// `gauntlet trigger [REPO] [--ref REF] [--input k=v]...`: asks a running `gauntlet serve`
// to queue a manual run (POST /api/v1/runs), with the typed inputs the pipeline declares
// under on.manual.inputs checked by the server before anything is queued.
#include <fmt/core.h>
#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/server_client.h"

namespace gauntlet::cli {
namespace {

struct TriggerFlags {
  std::string repo, ref;
  std::vector<std::string> inputs;  // k=v
  std::string server;
  bool wait = false;
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

int ExitFor(int status) {
  if (status == 400 || status == 422) return kExitInvalid;
  if (status == 404) return kExitNotFound;
  return kExitFailed;
}

// Follows queue item `id` with long polls until it ends: its last state, printed; exit 0
// when its run succeeded.
int WaitForItem(httplib::Client& client, const httplib::Headers& headers, int64_t id, bool json) {
  constexpr int kPollS = 30;  // each poll; the server answers at once when the item ends
  client.set_read_timeout(kPollS + 15, 0);
  int64_t said_run = 0;
  while (true) {
    auto res = client.Get("/api/v1/queue/" + std::to_string(id) + "?wait=" +
                              std::to_string(kPollS),
                          headers);
    if (!res) {
      fmt::print(stderr, "gauntlet: lost the server while waiting for queue item {}: {}\n", id,
                 httplib::to_string(res.error()));
      return kExitInternal;
    }
    nlohmann::json item = nlohmann::json::parse(res->body, nullptr, false);
    if (res->status != 200 || !item.is_object()) {
      fmt::print(stderr, "gauntlet: the server refused to say how queue item {} is ({}): {}\n",
                 id, res->status, res->body);
      return ExitFor(res->status);
    }
    const std::string state = item.value("state", "");
    const int64_t run = item.value("run_id", int64_t{0});
    if (run != 0 && run != said_run && !json) {
      fmt::print("run {} started\n", run);
      fflush(stdout);
      said_run = run;
    }
    if (state != "done" && state != "ignored" && state != "error" && state != "cancelled")
      continue;
    const std::string reason = item.value("reason", "");
    if (json) {
      fmt::print("{}\n", item.dump(2));
    } else {
      fmt::print("queue {}: {}{}\n", id, state, reason.empty() ? "" : " (" + reason + ")");
    }
    return state == "done" && reason == "success" ? kExitOk : kExitFailed;
  }
}

int Trigger(const TriggerFlags& f, bool json) {
  nlohmann::json body = nlohmann::json::object();
  if (!f.repo.empty()) body["repo"] = f.repo;
  if (!f.ref.empty()) body["ref"] = f.ref;
  if (!f.inputs.empty()) {
    body["inputs"] = nlohmann::json::object();
    for (const std::string& kv : f.inputs) {
      const size_t eq = kv.find('=');
      if (eq == 0 || eq == std::string::npos)
        return Fail(Error::Invalid("--input takes NAME=VALUE, got '" + kv + "'"));
      body["inputs"][kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  const std::string url = f.server.empty() ? EnvOr("GAUNTLET_SERVER", "http://127.0.0.1:8080")
                                           : f.server;
  httplib::Client client(url);
  if (!client.is_valid()) return Fail(Error::Invalid("--server: not a server URL: " + url));
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(30, 0);
  httplib::Headers headers;
  const std::string token = EnvOr("GAUNTLET_TOKEN", "");
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  auto res = client.Post("/api/v1/runs", headers, body.dump(), "application/json");
  if (!res) {
    fmt::print(stderr, "gauntlet: cannot reach the server at {}: {}\n", url,
               httplib::to_string(res.error()));
    return kExitInternal;
  }
  nlohmann::json answer = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 202) {
    const std::string reason = answer.is_object() ? answer.value("error", res->body) : res->body;
    if (json) fmt::print("{}\n", answer.is_discarded() ? nlohmann::json{{"error", reason}}.dump(2)
                                                       : answer.dump(2));
    fmt::print(stderr, "gauntlet: the server refused the trigger ({}): {}\n", res->status, reason);
    return ExitFor(res->status);
  }
  if (json && !f.wait) {
    fmt::print("{}\n", answer.dump(2));
  } else if (!json) {
    const std::string commit = answer.value("commit", "");
    fmt::print("queued {}: {} {}@{}\n", answer.value("queued", 0), answer.value("repo", ""),
               answer.value("ref", ""), commit.substr(0, 12));
    fflush(stdout);
  }
  if (!f.wait) return kExitOk;
  return WaitForItem(client, headers, answer.value("queued", int64_t{0}), json);
}

}  // namespace

std::string ServerFlags::Url() const { return server.empty() ? EnvOr("GAUNTLET_SERVER", "") : server; }

void AddServerFlags(CLI::App* cmd, ServerFlags* flags) {
  cmd->add_option("--server", flags->server,
                  "Ask this gauntlet serve (URL) instead of the local store (or $GAUNTLET_SERVER)");
  cmd->add_option("--token-file", flags->token_file,
                  "With --server: the file whose first line is the token (else $GAUNTLET_TOKEN)");
  cmd->add_option("--repo", flags->repo,
                  "With --server: the watched repository (may be left out when it watches one)");
}

Result<ServerAnswer> GetFromServer(const ServerFlags& flags, const std::string& path) {
  return AskServer(flags, "GET", path);
}

namespace {

// An event stream's field value: what follows "name:", without the one space after it.
std::string Field(const std::string& line, size_t colon_end) {
  const size_t at = colon_end < line.size() && line[colon_end] == ' ' ? colon_end + 1 : colon_end;
  return line.substr(std::min(at, line.size()));
}

// The headers every call sends: the token (--token-file's first line, else
// $GAUNTLET_TOKEN) as a bearer.
Result<httplib::Headers> AuthHeaders(const ServerFlags& flags) {
  std::string token = EnvOr("GAUNTLET_TOKEN", "");
  if (!flags.token_file.empty()) {
    std::ifstream in(flags.token_file);
    if (!in || !std::getline(in, token))
      return Error::NotFound("--token-file: cannot read " + flags.token_file);
  }
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return headers;
}

}  // namespace

Result<ServerAnswer> AskServer(const ServerFlags& flags, const std::string& method,
                               const std::string& path, const nlohmann::json& body) {
  const std::string url = flags.Url();
  httplib::Client client(url);
  if (!client.is_valid()) return Error::Invalid("--server: not a server URL: " + url);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(30, 0);
  auto auth = AuthHeaders(flags);
  if (!auth.ok()) return auth.error();
  const httplib::Headers& headers = *auth;
  auto res = method == "GET" ? client.Get(path, headers)
                             : client.Post(path, headers, body.dump(), "application/json");
  if (!res)
    return Error::Unavailable("cannot reach the server at " + url + ": " +
                              httplib::to_string(res.error()));
  ServerAnswer out{res->status, nlohmann::json::parse(res->body, nullptr, false)};
  if (!out.body.is_object())
    return Error::Unavailable("the server at " + url + " did not answer JSON (" +
                              std::to_string(res->status) + ")");
  return out;
}

Status FollowServerEvents(
    const ServerFlags& flags, const std::string& path,
    const std::function<bool(const std::string& type, const nlohmann::json& data)>& on_event,
    ServerAnswer* refused) {
  const std::string url = flags.Url();
  httplib::Client client(url);
  if (!client.is_valid()) return Error::Invalid("--server: not a server URL: " + url);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(60, 0);  // a quiet stream still gets a comment every 15 s
  auto auth = AuthHeaders(flags);
  if (!auth.ok()) return auth.error();
  std::string pending, type, data, refusal;
  bool stopped = false;
  int status = 0;
  // One line of the stream: a field, or the blank line that ends an event.
  auto line = [&](std::string l) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty()) {
      if (!data.empty()) {
        nlohmann::json j = nlohmann::json::parse(data, nullptr, false);
        if (!j.is_discarded() && !on_event(type.empty() ? "message" : type, j)) stopped = true;
      }
      type.clear();
      data.clear();
    } else if (l.rfind("event:", 0) == 0) {
      type = Field(l, 6);
    } else if (l.rfind("data:", 0) == 0) {
      data += (data.empty() ? "" : "\n") + Field(l, 5);
    }
  };
  auto res = client.Get(
      path, *auth,
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* bytes, size_t n) {
        if (status != 200) {
          refusal.append(bytes, n);
          return true;
        }
        pending.append(bytes, n);
        size_t nl;
        while (!stopped && (nl = pending.find('\n')) != std::string::npos) {
          line(pending.substr(0, nl));
          pending.erase(0, nl + 1);
        }
        return !stopped;
      });
  if (stopped) return Ok();
  if (status != 0 && status != 200) {
    if (refused) {
      refused->status = status;
      refused->body = nlohmann::json::parse(refusal, nullptr, false);
      if (!refused->body.is_object()) refused->body = {{"error", refusal}};
    }
    return Error{"refused"};
  }
  if (!res)
    return Error::Unavailable("lost the server at " + url + ": " + httplib::to_string(res.error()));
  return Error::Unavailable("the server at " + url + " ended the stream");
}

int ServerRefused(const ServerAnswer& answer) {
  fmt::print(stderr, "gauntlet: the server refused ({}): {}\n", answer.status,
             answer.body.value("error", answer.body.dump()));
  return answer.status == 400 ? kExitInvalid : answer.status == 404 ? kExitNotFound : kExitFailed;
}

std::string QueryValue(const std::string& value) { return httplib::detail::encode_query_param(value); }

void RegisterTrigger(CLI::App& app, GlobalOptions& global, Runner* run) {
  auto flags = std::make_shared<TriggerFlags>();
  CLI::App* cmd = app.add_subcommand("trigger", "Ask a running gauntlet serve to queue a run");
  cmd->footer(
      "REPO is the watched repository's name (optional when the server watches one). The\n"
      "ref (a branch, tag or commit; default: the source's HEAD) is resolved by the server,\n"
      "and the inputs are checked against the pipeline's on.manual.inputs at that commit\n"
      "before anything is queued (docs/server.md). The server is --server, else\n"
      "$GAUNTLET_SERVER, else http://127.0.0.1:8080; the token (scope trigger) is\n"
      "$GAUNTLET_TOKEN.\n"
      "--json: the server's answer ({\"queued\", \"repo\", \"ref\", \"commit\", \"inputs\"}).\n"
      "--wait: follow the queue item until it ends (long polls of GET /api/v1/queue/ID,\n"
      "no busy polling), printing the run's id when it starts and the end; with --json\n"
      "the ended item. Then exit 0 only when its run succeeded, 1 otherwise.\n"
      "Exit codes: 0 queued, 1 refused (token missing or scope too small, server error),\n"
      "2 usage or inputs refused, 3 no such repository, ref or pipeline file, 4 the server\n"
      "cannot be reached.\n");
  cmd->add_option("REPO", flags->repo, "The watched repository's name");
  cmd->add_option("--ref", flags->ref, "Branch, tag or commit to run (default: HEAD)");
  cmd->add_option("--input", flags->inputs, "NAME=VALUE, repeated: the trigger's inputs");
  cmd->add_option("--server", flags->server, "The server's URL");
  cmd->add_flag("--wait", flags->wait, "Wait for the run to end; exit 0 only if it succeeded");
  cmd->add_flag("--json", global.json, "Print JSON");
  *run = [flags, &global]() -> int { return Trigger(*flags, global.json); };
}

}  // namespace gauntlet::cli
