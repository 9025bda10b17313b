#include "mcp/stdio.h"

#include <fmt/core.h>

#include <cstring>

#include "core/clock.h"
#include "engine/pipeline.h"
#include "mcp/session.h"
#include "mcp/tools_common.h"

namespace gauntlet::mcp {
namespace {

// Reads one line (without its newline) of at most kMaxMessageBytes; *too_long when the
// line was longer (the rest of it was read and dropped). False at the end of input.
bool ReadLine(FILE* in, std::string* line, bool* too_long) {
  line->clear();
  *too_long = false;
  char buf[64 * 1024];
  bool any = false;
  while (fgets(buf, sizeof(buf), in) != nullptr) {
    any = true;
    size_t n = strlen(buf);
    const bool end = n > 0 && buf[n - 1] == '\n';
    if (end) --n;
    if (line->size() + n <= kMaxMessageBytes) {
      line->append(buf, n);
    } else {
      *too_long = true;
    }
    if (end) return true;
  }
  return any;
}

}  // namespace

int ServeStdio(const StdioOptions& options, FILE* in, FILE* out) {
  Policy policy;
  if (!options.policy_file.empty()) {
    auto p = LoadPolicy(options.policy_file);
    if (!p.ok()) {
      fmt::print(stderr, "gauntlet mcp: {}\n", p.error().message);
      return 2;
    }
    policy = std::move(*p);
  }
  Toolbox tools;
  const Workplace workplace = options.workplace;
  Gateway gateway(
      policy, &RealClock(),
      [workplace](const std::string& identity) { return LevelOf(workplace, identity); },
      [workplace](const std::string& identity, const std::string& tool, const std::string& env,
                  const nlohmann::json& a) {
        return AskApproval(workplace, identity, tool, env, a);
      });
  AuditTrail audit(workplace);
  SessionOptions so;
  so.workplace = workplace;
  so.identity = options.identity;
  so.transport = "stdio";
  so.may_call = options.may_call;
  Session session(tools, gateway, audit, so, [out](const nlohmann::json& msg) {
    // Log output may hold bytes that are not UTF-8: replaced, never a throw.
    std::string text = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    fwrite(text.data(), 1, text.size(), out);
    fflush(out);
  });
  std::string line;
  bool too_long = false;
  while (ReadLine(in, &line, &too_long)) {
    if (too_long) {
      session.Reply(ErrorResponse(
          nullptr, kParseError,
          fmt::format("parse error: a message longer than {} bytes", kMaxMessageBytes)));
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank line
    session.Receive(line);
  }
  fmt::print(stderr, "gauntlet mcp: the client closed stdin; ending the session\n");
  session.Shutdown();
  return 0;
}

}  // namespace gauntlet::mcp
