// libFuzzer target: any bytes given to the JSON-RPC decoder, with batches on and off,
// must give messages or error responses, never a crash, an exception or a hang; every
// line gets an answer or a message (nothing is silently dropped), and every answer owed
// is a well-formed JSON-RPC error response.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "mcp/jsonrpc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool batches : {false, true}) {
    gauntlet::mcp::Decoded d = gauntlet::mcp::Decode(text, batches);
    if (d.messages.empty() && d.errors.empty()) __builtin_trap();
    if (d.batch && !batches) __builtin_trap();
    for (const nlohmann::json& e : d.errors) {
      if (e.value("jsonrpc", "") != "2.0" || !e.contains("error") ||
          !e["error"]["code"].is_number_integer())
        __builtin_trap();
      (void)e.dump();
    }
    for (const auto& m : d.messages) {
      using K = gauntlet::mcp::Message::Kind;
      if ((m.kind == K::kRequest || m.kind == K::kNotification) && m.method.empty())
        __builtin_trap();
      if (m.kind != K::kNotification && !(m.id.is_string() || m.id.is_number_integer()))
        __builtin_trap();
    }
  }
  return 0;
}
