#include "mcp/session.h"

#include <fmt/core.h>

#include <algorithm>
#include <exception>

#include "core/clock.h"
#include "core/strings.h"
#include "mcp/resources.h"

namespace gauntlet::mcp {
namespace {

using nlohmann::json;

constexpr const char* kInstructions =
    "gauntlet is a CI/CD engine for this repository. Typical loop: `run` the pipeline "
    "(answers at once with a run id), `run_status` with wait=true until it ends, `diagnose` a "
    "failed run to get file:line diagnostics, fix the code, run again, then ask `gate` whether "
    "the change may merge. Deploying to a protected environment needs trust level L3 (see "
    "`trust`); `rollback` and `abort` are always allowed.";

json Annotations(const Tool& t) {
  const bool read_only = t.access == Access::kRead;
  return {{"readOnlyHint", read_only},
          {"destructiveHint", t.access == Access::kDeploy || t.access == Access::kRelease},
          {"idempotentHint", read_only},
          {"openWorldHint", false}};
}

}  // namespace

Session::Session(const Toolbox& tools, Gateway& gateway, AuditTrail& audit,
                 SessionOptions options, Send send)
    : tools_(tools),
      gateway_(gateway),
      audit_(audit),
      options_(std::move(options)),
      send_(std::move(send)),
      subscriptions_(options_.workplace, [this](const json& msg) { SendLocked(msg); }) {
  runs_.OnChange([this] { subscriptions_.Kick(); });
}

Session::~Session() { Shutdown(); }

void Session::SendLocked(const json& msg) {
  std::lock_guard lock(send_mu_);
  send_(msg);
}

bool Session::Structured() const { return version_ >= "2025-06-18"; }

void Session::Receive(std::string_view line) {
  ReapThreads(false);
  Decoded d = Decode(line, batches_);
  json answers = json::array();
  for (const Message& m : d.messages) {
    json a;
    try {
      a = Handle(m);
    } catch (const std::exception& e) {
      // A bug, not the client's fault: said, and the session goes on.
      if (m.kind == Message::Kind::kRequest)
        a = ErrorResponse(m.id, kInternalError, std::string("internal error: ") + e.what());
    }
    if (!a.is_null()) answers.push_back(std::move(a));
  }
  for (json& e : d.errors) answers.push_back(std::move(e));
  if (d.batch) {
    if (!answers.empty()) SendLocked(answers);
    return;
  }
  for (const json& a : answers) SendLocked(a);
}

json Session::Handle(const Message& m) {
  using K = Message::Kind;
  if (m.kind == K::kResult || m.kind == K::kError) return nullptr;  // we ask nothing
  if (m.kind == K::kNotification) {
    if (m.method == "notifications/cancelled") Cancelled(m);
    return nullptr;  // notifications/initialized and the others need no answer
  }
  if (m.method == "initialize") return Initialize(m);
  if (m.method == "ping") return ResultResponse(m.id, json::object());
  if (version_.empty())
    return ErrorResponse(m.id, kInvalidRequest,
                         "the session is not initialized: send initialize first");
  if (m.method == "tools/list") return ToolsList(m);
  if (m.method == "tools/call") return ToolsCall(m);
  if (m.method == "resources/list") return ResultResponse(m.id, ListResources(options_.workplace));
  if (m.method == "resources/templates/list")
    return ResultResponse(m.id, ResourceTemplates());
  if (m.method == "resources/subscribe") return Subscribe(m, true);
  if (m.method == "resources/unsubscribe") return Subscribe(m, false);
  if (m.method == "resources/read") {
    if (!m.params.is_object() || !m.params.contains("uri") || !m.params["uri"].is_string())
      return ErrorResponse(m.id, kInvalidParams, "resources/read needs params.uri (a string)");
    auto r = ReadResource(options_.workplace, m.params["uri"]);
    if (!r.ok()) return ErrorResponse(m.id, kResourceNotFound, r.error().message,
                                      {{"uri", m.params["uri"]}});
    return ResultResponse(m.id, std::move(*r));
  }
  return ErrorResponse(m.id, kMethodNotFound,
                       fmt::format("method not found: {} (this server has initialize, ping, "
                                   "tools/list, tools/call, resources/list, "
                                   "resources/templates/list, resources/read, "
                                   "resources/subscribe, resources/unsubscribe)",
                                   m.method));
}

json Session::Initialize(const Message& m) {
  if (!m.params.is_object() || !m.params.contains("protocolVersion") ||
      !m.params["protocolVersion"].is_string())
    return ErrorResponse(m.id, kInvalidParams, "initialize needs params.protocolVersion (a string)",
                         {{"supported", kProtocolVersions}});
  const std::string asked = m.params["protocolVersion"];
  // The spec's negotiation: the client's version when we speak it, else our newest; the
  // client decides whether it can go on with that.
  version_ = kProtocolVersions[0];
  for (const char* v : kProtocolVersions)
    if (asked == v) version_ = v;
  batches_ = version_ == "2025-03-26";  // the only version with JSON-RPC batches
  json result = {
      {"protocolVersion", version_},
      {"capabilities",
       {{"tools", {{"listChanged", false}}},
        {"resources", {{"subscribe", true}, {"listChanged", false}}}}},
      {"serverInfo", {{"name", "gauntlet"}, {"version", GAUNTLET_VERSION}}},
      {"instructions", kInstructions}};
  fmt::print(stderr, "gauntlet mcp: session of {} over {}, protocol {}\n", options_.identity,
             options_.transport, version_);
  return ResultResponse(m.id, std::move(result));
}

json Session::ToolsList(const Message& m) {
  json list = json::array();
  for (const Tool& t : tools_.tools()) {
    json e = {{"name", t.name},
              {"description", t.description},
              {"inputSchema", t.input_schema},
              {"annotations", Annotations(t)}};
    if (Structured()) {
      e["title"] = t.title;
      e["outputSchema"] = t.output_schema;
    }
    list.push_back(std::move(e));
  }
  return ResultResponse(m.id, {{"tools", std::move(list)}});
}

json Session::ResultJson(const ToolResult& r) const {
  json content = json::array({{{"type", "text"}, {"text", r.text}}});
  json out = {{"content", content}, {"isError", r.is_error}};
  if (r.structured.is_null()) return out;
  if (Structured()) {
    out["structuredContent"] = r.structured;
  } else {
    // Clients before 2025-06-18 have no structuredContent: the JSON comes as text.
    out["content"].push_back(
        {{"type", "text"}, {"text", r.structured.dump(-1, ' ', false, json::error_handler_t::replace)}});
  }
  return out;
}

json Session::ToolsCall(const Message& m) {
  if (!m.params.is_object() || !m.params.contains("name") || !m.params["name"].is_string())
    return ErrorResponse(m.id, kInvalidParams, "tools/call needs params.name (a string)");
  const std::string name = m.params["name"];
  const Tool* tool = tools_.Find(name);
  if (!tool) {
    store::AuditRecord audit;
    audit.at_ms = RealClock().UnixMs();
    audit.identity = options_.identity;
    audit.tool = name.substr(0, 200);
    audit.arguments = MaskArguments(m.params.value("arguments", json::object()), {})
                          .dump(-1, ' ', false, json::error_handler_t::replace);
    audit.decision = audit.outcome = "invalid";
    audit.detail = "unknown tool";
    audit_.Record(std::move(audit));
    std::string hint = DidYouMean(name, tools_.Names());
    return ErrorResponse(m.id, kInvalidParams,
                         fmt::format("unknown tool: {}{}", name, hint.empty() ? "" : " (did you mean " + hint + "?)"),
                         {{"tools", tools_.Names()}});
  }
  json arguments = m.params.value("arguments", json::object());
  auto flight = std::make_shared<InFlight>();
  {
    std::lock_guard lock(flight_mu_);
    if (!in_flight_.emplace(m.id.dump(), flight).second)
      return ErrorResponse(m.id, kInvalidRequest,
                           fmt::format("request id {} is already in use by a call in flight",
                                       m.id.dump()));
  }
  if (!tool->long_running) return CallTool(m, *tool, arguments, flight);
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread worker([this, m, tool, arguments, flight, done] {
    json answer = CallTool(m, *tool, arguments, flight);
    if (!answer.is_null()) SendLocked(answer);
    done->store(true);
  });
  std::lock_guard lock(flight_mu_);
  workers_.push_back({std::move(worker), std::move(done)});
  return nullptr;
}

json Session::CallTool(const Message& m, const Tool& tool, const json& arguments,
                       const std::shared_ptr<InFlight>& flight) {
  const TimePoint start = RealClock().Now();
  store::AuditRecord audit;
  audit.at_ms = RealClock().UnixMs();
  audit.identity = options_.identity;
  audit.tool = tool.name;
  audit.arguments = MaskArguments(arguments, {}).dump(-1, ' ', false, json::error_handler_t::replace);
  ToolResult result;
  std::string problems = tools_.SchemaOf(tool).Check(arguments);
  if (!problems.empty()) {
    audit.decision = "invalid";
    result = ToolError(fmt::format("invalid arguments for {}:\n{}\n(the tool's inputSchema in "
                                   "tools/list says what is valid)",
                                   tool.name, problems));
  } else if (std::string why = options_.may_call ? options_.may_call(tool, arguments) : "";
             !why.empty()) {
    audit.decision = "denied";
    result = ToolError(why);
  } else if (Decision d = gateway_.Check(options_.identity, tool, arguments); !d.allowed) {
    audit.decision = "denied";
    audit.level = d.level;
    result = ToolError(d.reason);
  } else {
    audit.decision = "allowed";
    audit.level = d.level;
    if (d.approval > 0) audit.detail = fmt::format("allowed by approval {}", d.approval);
    json token;
    if (m.params.contains("_meta") && m.params["_meta"].is_object())
      token = m.params["_meta"].value("progressToken", json());
    double last = -1;
    CallContext c;
    c.workplace = &options_.workplace;
    c.runs = &runs_;
    c.identity = options_.identity;
    c.cancelled = &flight->cancelled;
    c.progress = [this, token, &last](double p, double total, const std::string& msg) {
      if (token.is_null() || p <= last) return;  // progress only ever increases
      last = p;
      json params = {{"progressToken", token}, {"progress", p}};
      if (total > 0) params["total"] = total;
      if (!msg.empty() && version_ >= "2025-03-26") params["message"] = msg;
      SendLocked(Notification("notifications/progress", std::move(params)));
    };
    try {
      result = tool.call(arguments, c);
    } catch (const std::exception& e) {
      result = ToolError(fmt::format("internal error in {}: {}", tool.name, e.what()));
    }
  }
  const bool cancelled = flight->cancelled.load();
  audit.outcome = audit.decision == "allowed"
                      ? (cancelled ? "cancelled" : result.is_error ? "error" : "ok")
                      : audit.decision;
  if (result.is_error) audit.detail = result.text;
  audit.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(RealClock().Now() - start).count();
  audit_.Record(std::move(audit));
  {
    std::lock_guard lock(flight_mu_);
    in_flight_.erase(m.id.dump());
  }
  if (cancelled) return nullptr;  // the spec: no answer to a cancelled request
  return ResultResponse(m.id, ResultJson(result));
}

json Session::Subscribe(const Message& m, bool subscribe) {
  if (!m.params.is_object() || !m.params.contains("uri") || !m.params["uri"].is_string())
    return ErrorResponse(m.id, kInvalidParams, m.method + " needs params.uri (a string)");
  const std::string uri = m.params["uri"];
  if (!subscribe) {
    subscriptions_.Unsubscribe(uri);  // unsubscribing twice is no error: the end is the same
    return ResultResponse(m.id, json::object());
  }
  if (Status s = subscriptions_.Subscribe(uri); !s.ok())
    return ErrorResponse(m.id, kResourceNotFound, s.error().message, {{"uri", uri}});
  return ResultResponse(m.id, json::object());
}

void Session::Cancelled(const Message& m) {
  if (!m.params.is_object() || !m.params.contains("requestId")) return;
  std::lock_guard lock(flight_mu_);
  auto it = in_flight_.find(m.params["requestId"].dump());
  if (it != in_flight_.end()) it->second->cancelled.store(true);
}

void Session::ReapThreads(bool all) {
  std::vector<Worker> finished;
  {
    std::lock_guard lock(flight_mu_);
    auto keep = std::partition(workers_.begin(), workers_.end(),
                               [all](const Worker& w) { return !all && !w.done->load(); });
    std::move(keep, workers_.end(), std::back_inserter(finished));
    workers_.erase(keep, workers_.end());
  }
  for (Worker& w : finished) w.thread.join();
}

void Session::Shutdown() {
  if (shutting_down_.exchange(true)) return;
  {
    std::lock_guard lock(flight_mu_);
    for (auto& [id, f] : in_flight_) f->cancelled.store(true);
  }
  runs_.CancelAll();
  ReapThreads(true);
  // After the runs' ends: a subscriber hears that its run was cancelled.
  subscriptions_.Kick();
  subscriptions_.Stop();
}

}  // namespace gauntlet::mcp
