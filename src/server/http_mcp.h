// MCP over the Streamable HTTP transport (MCP 2025-03-26 and later) at /mcp (the only
// watched repository) and /mcp/NAME: the same sessions, tools, trust gateway and audit
// trail as `gauntlet mcp` over stdio (mcp/session.h), bound to the API token's name.
//
//   POST   one JSON-RPC message (a batch for 2025-03-26): a notification or a response
//          gets 202; requests get application/json when their answers are ready at once,
//          else a text/event-stream of their progress and answers.
//   DELETE ends the session named by Mcp-Session-Id (its calls and runs are cancelled).
//   GET    (Accept: text/event-stream, with the session's id) the session's event stream:
//          what the server sends unprompted (notifications/resources/updated). One per
//          session (409 for a second), at most four across the server (503 beyond).
//
// Before any of that: the Origin (when sent) must be a loopback one (DNS rebinding), the
// token must be valid (401 with WWW-Authenticate), a session id issued by initialize must
// come with every later request (400 without, 404 unknown or ended) from the same token,
// and MCP-Protocol-Version, when sent, must be the session's version (400). The token's
// scope caps what the gateway may allow (ScopeAllows). docs/server.md and docs/agents.md.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "mcp/tool.h"
#include "server/server.h"
#include "server/server_db.h"

namespace httplib {
class Server;
}

namespace gauntlet::server {

// Whether a token of `scope` may make this call: read tools need read, `run` needs
// trigger, deploy, promote, rollback, abort and a real release need deploy. "" when it
// may, else why not (a tool error).
std::string ScopeAllows(Scope scope, const std::string& token_name, const mcp::Tool& tool,
                        const nlohmann::json& arguments);

// Whether an Origin header value may reach /mcp: absent, or a loopback origin
// (http(s)://localhost, 127.0.0.1 or [::1], any port).
bool LoopbackOrigin(const std::string& origin);

class McpEndpoint {
 public:
  McpEndpoint(const ServerConfig& config, ServerDb& db);
  ~McpEndpoint();
  // Adds the /mcp routes to `http`.
  void Install(httplib::Server& http);
  // Ends every session (their runs are cancelled) and the streams waiting for answers:
  // before the HTTP server's threads are joined.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gauntlet::server
