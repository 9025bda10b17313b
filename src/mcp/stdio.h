// `gauntlet mcp`: one session over stdio (newline-delimited JSON-RPC on stdin/stdout; logs
// only on stderr), behind the trust gateway, audited. Returns when stdin closes, after the
// calls in flight and the runs the session started were cancelled and ended.
#pragma once

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "mcp/tool.h"

namespace gauntlet::mcp {

struct StdioOptions {
  Workplace workplace;
  std::string identity;     // who the session acts for (--as NAME; default $USER)
  std::string policy_file;  // "" : the default policy (gateway.h)
  // What the session's credentials allow before the gateway (session.h), set when the
  // identity comes from an API token ($GAUNTLET_TOKEN): the token's scope.
  std::function<std::string(const Tool& tool, const nlohmann::json& arguments)> may_call;
};

// The largest message read from stdin; a longer line is answered with a parse error and
// skipped, never held whole in memory.
inline constexpr size_t kMaxMessageBytes = 16 << 20;

// Serves one session on `in`/`out`. Returns the process exit code: 0 when the client
// closed stdin, 2 for an unreadable policy file.
int ServeStdio(const StdioOptions& options, FILE* in, FILE* out);

}  // namespace gauntlet::mcp
