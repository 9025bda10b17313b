#include "mcp/jsonrpc.h"

#include <fmt/core.h>

namespace gauntlet::mcp {
namespace {

using nlohmann::json;

// The id of a response to an invalid entry: its own when it had a usable one.
json IdOf(const json& entry) {
  if (!entry.is_object()) return nullptr;
  auto it = entry.find("id");
  if (it == entry.end() || !(it->is_string() || it->is_number_integer())) return nullptr;
  return *it;
}

json Invalid(const json& entry, const std::string& why) {
  return ErrorResponse(IdOf(entry), kInvalidRequest, "invalid request: " + why);
}

// One entry of a line: a message, or the error response owed for it.
bool DecodeOne(const json& e, Message* m, json* error) {
  if (!e.is_object()) {
    *error = Invalid(e, "a message is a JSON object");
    return false;
  }
  auto version = e.find("jsonrpc");
  if (version == e.end() || *version != "2.0") {
    *error = Invalid(e, "\"jsonrpc\" must be \"2.0\"");
    return false;
  }
  auto id = e.find("id");
  const bool has_id = id != e.end();
  // MCP: an id is a string or an integer, never null (JSON-RPC allows null; MCP does not).
  if (has_id && !(id->is_string() || id->is_number_integer())) {
    *error = Invalid(e, "\"id\" must be a string or an integer");
    return false;
  }
  auto method = e.find("method");
  if (method != e.end()) {
    if (!method->is_string() || method->get_ref<const std::string&>().empty()) {
      *error = Invalid(e, "\"method\" must be a non-empty string");
      return false;
    }
    auto params = e.find("params");
    if (params != e.end() && !params->is_object() && !params->is_array()) {
      *error = Invalid(e, "\"params\" must be an object or an array");
      return false;
    }
    m->kind = has_id ? Message::Kind::kRequest : Message::Kind::kNotification;
    m->id = has_id ? *id : json();
    m->method = *method;
    m->params = params != e.end() ? *params : json();
    return true;
  }
  auto result = e.find("result");
  auto err = e.find("error");
  if ((result != e.end()) == (err != e.end()) || !has_id) {
    *error = Invalid(e, "neither a request (\"method\") nor a response (\"id\" and one of "
                        "\"result\" or \"error\")");
    return false;
  }
  if (err != e.end() && (!err->is_object() || !err->contains("code"))) {
    *error = Invalid(e, "\"error\" must be an object with a \"code\"");
    return false;
  }
  m->id = *id;
  if (result != e.end()) {
    m->kind = Message::Kind::kResult;
    m->result = *result;
  } else {
    m->kind = Message::Kind::kError;
    m->error = *err;
  }
  return true;
}

}  // namespace

Decoded Decode(std::string_view text, bool batches) {
  Decoded out;
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    out.errors.push_back(ErrorResponse(nullptr, kParseError, "parse error: not valid JSON"));
    return out;
  }
  if (!doc.is_array()) {
    Message m;
    json error;
    if (DecodeOne(doc, &m, &error)) {
      out.messages.push_back(std::move(m));
    } else {
      out.errors.push_back(std::move(error));
    }
    return out;
  }
  if (!batches) {
    out.errors.push_back(ErrorResponse(
        nullptr, kInvalidRequest,
        "invalid request: batches are not part of the negotiated protocol version; send "
        "one message per line"));
    return out;
  }
  if (doc.empty()) {
    out.errors.push_back(ErrorResponse(nullptr, kInvalidRequest, "invalid request: empty batch"));
    return out;
  }
  out.batch = true;
  for (const json& e : doc) {
    Message m;
    json error;
    if (DecodeOne(e, &m, &error)) {
      out.messages.push_back(std::move(m));
    } else {
      out.errors.push_back(std::move(error));
    }
  }
  return out;
}

json ResultResponse(const json& id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json ErrorResponse(const json& id, int code, std::string_view message, json data) {
  json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = std::move(data);
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

json Notification(std::string_view method, json params) {
  json n = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) n["params"] = std::move(params);
  return n;
}

json Request(const json& id, std::string_view method, json params) {
  json r = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) r["params"] = std::move(params);
  return r;
}

}  // namespace gauntlet::mcp
