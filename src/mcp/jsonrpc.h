// JSON-RPC 2.0 as MCP uses it (https://www.jsonrpc.org/specification): one message per
// line of text decoded into requests, notifications and responses, and the answers built.
// Pure: no I/O, no threads; the transports (stdio, HTTP) and the session sit on top.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::mcp {

// The standard error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

struct Message {
  enum class Kind { kRequest, kNotification, kResult, kError };
  Kind kind = Kind::kRequest;
  nlohmann::json id;      // a string or an integer; null for a notification
  std::string method;     // requests and notifications
  nlohmann::json params;  // an object, an array or null (absent)
  nlohmann::json result;  // kResult
  nlohmann::json error;   // kError: {"code","message","data"?}
};

// One line as received: the messages that are well formed, and the error responses owed
// for those that are not (a parse error, a batch where batches are not allowed, an entry
// that is no JSON-RPC message). A batch's answers go back as one array (`batch`).
struct Decoded {
  std::vector<Message> messages;
  std::vector<nlohmann::json> errors;
  bool batch = false;
};

// Decodes one message, or a batch when `batches` (MCP 2025-03-26 only: the newer versions
// removed them; with batches off an array is one invalid request).
Decoded Decode(std::string_view text, bool batches);

// Encoders: the JSON objects to send (dump() them, one per line on stdio).
nlohmann::json ResultResponse(const nlohmann::json& id, nlohmann::json result);
nlohmann::json ErrorResponse(const nlohmann::json& id, int code, std::string_view message,
                             nlohmann::json data = nullptr);
nlohmann::json Notification(std::string_view method, nlohmann::json params);
nlohmann::json Request(const nlohmann::json& id, std::string_view method, nlohmann::json params);

}  // namespace gauntlet::mcp
