// One MCP session over any transport: the lifecycle (initialize with version negotiation,
// notifications/initialized, ping), tools/list and tools/call through the trust gateway
// and the audit trail, resources, cancellation and progress. The transport hands it
// each received line and sends what it gives back (`send` may be called from any thread;
// the session serialises its calls).
//
// Long tools (tool.h: long_running) run on a thread each, so a cancellation or a ping is
// answered while they work; the others run on the caller's thread, in order.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mcp/audit.h"
#include "mcp/gateway.h"
#include "mcp/jsonrpc.h"
#include "mcp/run_tracker.h"
#include "mcp/subscriptions.h"
#include "mcp/tool.h"

namespace gauntlet::mcp {

// Protocol versions this server speaks, newest first (the official TypeScript SDK's
// LATEST_PROTOCOL_VERSION first). A client asking for another gets the newest.
inline constexpr const char* kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                    "2024-11-05"};

struct SessionOptions {
  Workplace workplace;
  std::string identity;
  std::string transport = "stdio";  // for the audit and the logs
  // What the transport's credentials allow, checked before the gateway (HTTP: the API
  // token's scope): "" when the call may go on, else why not. Unset: anything.
  std::function<std::string(const Tool& tool, const nlohmann::json& arguments)> may_call;
};

class Session {
 public:
  using Send = std::function<void(const nlohmann::json&)>;
  Session(const Toolbox& tools, Gateway& gateway, AuditTrail& audit, SessionOptions options,
          Send send);
  ~Session();  // Shutdown()

  // One received line (a message, or a batch where the version has them).
  void Receive(std::string_view line);
  // Sends a message the transport composed (an error for a line it could not read).
  void Reply(const nlohmann::json& msg) { SendLocked(msg); }
  // The client went away: cancels the calls in flight and the runs this session
  // started, and waits for them to end (a deployment rolls back; nothing is left half
  // done).
  void Shutdown();

  const std::string& protocol_version() const { return version_; }

 private:
  struct InFlight {
    std::atomic<bool> cancelled{false};
  };

  // The answer to one request (null for a notification or a cancelled request).
  nlohmann::json Handle(const Message& m);
  nlohmann::json Initialize(const Message& m);
  nlohmann::json ToolsList(const Message& m);
  // Answers at once, or hands the call to a thread and answers from there (null here).
  nlohmann::json ToolsCall(const Message& m);
  nlohmann::json CallTool(const Message& m, const Tool& tool, const nlohmann::json& arguments,
                          const std::shared_ptr<InFlight>& flight);
  nlohmann::json ResultJson(const ToolResult& r) const;
  // resources/subscribe and resources/unsubscribe.
  nlohmann::json Subscribe(const Message& m, bool subscribe);
  void Cancelled(const Message& m);
  void SendLocked(const nlohmann::json& msg);
  void ReapThreads(bool all);
  bool Structured() const;  // the version has structuredContent and outputSchema

  const Toolbox& tools_;
  Gateway& gateway_;
  AuditTrail& audit_;
  SessionOptions options_;
  Send send_;
  Subscriptions subscriptions_;  // before runs_: the runs kick it until they end
  RunTracker runs_;

  std::mutex send_mu_;
  std::string version_;  // negotiated; "" before initialize
  bool batches_ = false;
  std::atomic<bool> shutting_down_{false};

  std::mutex flight_mu_;
  std::map<std::string, std::shared_ptr<InFlight>> in_flight_;  // by id.dump()
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;
};

}  // namespace gauntlet::mcp
