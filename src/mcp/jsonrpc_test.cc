#include "mcp/jsonrpc.h"

#include <gtest/gtest.h>

namespace gauntlet::mcp {
namespace {

using nlohmann::json;
using K = Message::Kind;

int CodeOf(const json& response) { return response["error"]["code"].get<int>(); }

TEST(JsonRpc, RequestWithIntegerOrStringId) {
  Decoded d = Decode(R"({"jsonrpc":"2.0","id":7,"method":"ping"})", false);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.messages[0].kind, K::kRequest);
  EXPECT_EQ(d.messages[0].id, 7);
  EXPECT_EQ(d.messages[0].method, "ping");
  EXPECT_TRUE(d.messages[0].params.is_null());
  d = Decode(R"({"jsonrpc":"2.0","id":"a","method":"tools/list","params":{"cursor":"x"}})",
             false);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].id, "a");
  EXPECT_EQ(d.messages[0].params["cursor"], "x");
}

TEST(JsonRpc, NotificationHasNoId) {
  Decoded d = Decode(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", false);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].kind, K::kNotification);
  EXPECT_TRUE(d.messages[0].id.is_null());
}

TEST(JsonRpc, ResponsesFromTheClient) {
  Decoded d = Decode(R"({"jsonrpc":"2.0","id":1,"result":{}})", false);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].kind, K::kResult);
  d = Decode(R"({"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"no"}})", false);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].kind, K::kError);
  EXPECT_EQ(d.messages[0].error["code"], -1);
}

TEST(JsonRpc, ParseErrorHasNullId) {
  for (const char* text : {"{", "", "{\"jsonrpc\":\"2.0\",", "\xff\xfe", "nul"}) {
    Decoded d = Decode(text, false);
    ASSERT_EQ(d.errors.size(), 1u) << text;
    EXPECT_EQ(CodeOf(d.errors[0]), kParseError) << text;
    EXPECT_TRUE(d.errors[0]["id"].is_null());
    EXPECT_TRUE(d.messages.empty());
  }
}

TEST(JsonRpc, InvalidRequestsKeepTheirIdWhenUsable) {
  struct Case {
    const char* text;
    json id;
  } cases[] = {
      {R"({"id":1,"method":"ping"})", 1},                        // no jsonrpc
      {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", 1},        // wrong version
      {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", nullptr},  // MCP: no null id
      {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", nullptr},
      {R"({"jsonrpc":"2.0","id":{},"method":"ping"})", nullptr},
      {R"({"jsonrpc":"2.0","id":"x","method":3})", "x"},
      {R"({"jsonrpc":"2.0","id":"x","method":""})", "x"},
      {R"({"jsonrpc":"2.0","id":2,"method":"ping","params":5})", 2},
      {R"({"jsonrpc":"2.0","id":2})", 2},                         // neither
      {R"({"jsonrpc":"2.0","id":2,"result":1,"error":{"code":1}})", 2},  // both
      {R"({"jsonrpc":"2.0","result":1})", nullptr},               // response without id
      {R"({"jsonrpc":"2.0","id":3,"error":"bad"})", 3},
      {R"(42)", nullptr},
      {R"("ping")", nullptr},
  };
  for (const Case& c : cases) {
    Decoded d = Decode(c.text, false);
    ASSERT_EQ(d.errors.size(), 1u) << c.text;
    EXPECT_EQ(CodeOf(d.errors[0]), kInvalidRequest) << c.text;
    EXPECT_EQ(d.errors[0]["id"], c.id) << c.text;
    EXPECT_TRUE(d.messages.empty()) << c.text;
  }
}

TEST(JsonRpc, BatchOnlyWhenAllowed) {
  const char* batch =
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},)"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"},)"
      R"({"jsonrpc":"2.0","id":2}, 7])";
  Decoded off = Decode(batch, false);
  EXPECT_FALSE(off.batch);
  EXPECT_TRUE(off.messages.empty());
  ASSERT_EQ(off.errors.size(), 1u);
  EXPECT_EQ(CodeOf(off.errors[0]), kInvalidRequest);
  EXPECT_NE(off.errors[0]["error"]["message"].get<std::string>().find("batches"),
            std::string::npos);

  Decoded on = Decode(batch, true);
  EXPECT_TRUE(on.batch);
  ASSERT_EQ(on.messages.size(), 2u);  // in order
  EXPECT_EQ(on.messages[0].kind, K::kRequest);
  EXPECT_EQ(on.messages[1].kind, K::kNotification);
  ASSERT_EQ(on.errors.size(), 2u);
  EXPECT_EQ(on.errors[0]["id"], 2);
  EXPECT_TRUE(on.errors[1]["id"].is_null());

  Decoded empty = Decode("[]", true);
  ASSERT_EQ(empty.errors.size(), 1u);
  EXPECT_EQ(CodeOf(empty.errors[0]), kInvalidRequest);
  EXPECT_FALSE(empty.batch);
}

TEST(JsonRpc, Encoders) {
  EXPECT_EQ(ResultResponse(3, {{"a", 1}}).dump(), R"({"id":3,"jsonrpc":"2.0","result":{"a":1}})");
  EXPECT_EQ(ErrorResponse("q", kMethodNotFound, "no").dump(),
            R"({"error":{"code":-32601,"message":"no"},"id":"q","jsonrpc":"2.0"})");
  EXPECT_EQ(ErrorResponse(1, kInvalidParams, "bad", {{"field", "x"}})["error"]["data"]["field"],
            "x");
  EXPECT_EQ(Notification("notifications/progress", nullptr).dump(),
            R"({"jsonrpc":"2.0","method":"notifications/progress"})");
  EXPECT_EQ(Request(9, "ping", nullptr)["method"], "ping");
  // What is encoded decodes back.
  Decoded d = Decode(Request(9, "ping", json::object()).dump(), false);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].id, 9);
}

}  // namespace
}  // namespace gauntlet::mcp
