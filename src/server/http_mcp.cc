#include "server/http_mcp.h"

#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include <fmt/core.h>

#include "mcp/audit.h"
#include "mcp/gateway.h"
#include "mcp/jsonrpc.h"
#include "mcp/session.h"
#include "mcp/tools_common.h"
#include "server/crypto.h"
#include "vcs/checkout.h"

namespace gauntlet::server {
using nlohmann::json;

// Named, not anonymous: McpEndpoint::Impl holds these.
namespace mcp_http {

constexpr size_t kMaxSessions = 100;
constexpr int64_t kIdleMs = 60 * 60 * 1000;  // a session unused this long may be ended
// GET streams hold one of the HTTP server's threads each for as long as they are open:
// at most this many at once, so requests always find a thread.
constexpr int kMaxEventStreams = 4;
// Messages for the GET stream kept while none is open (the client opens it just after
// initialize); older ones beyond this are dropped.
constexpr size_t kMaxUnsent = 100;

// The answers owed to one POST: the ids of its requests not answered yet and their
// progress tokens, so the session's messages (sent from any thread) find their way back.
struct Stream {
  std::deque<json> out;
  std::set<std::string> waiting;  // request ids, dump()ed
  std::set<std::string> tokens;   // progress tokens, dump()ed
  bool batch = false;
  bool open_ended = false;  // the GET stream: it waits for no answer, ends with the session
};

// A repository's MCP face: its workplace, one gateway (so rate limits hold across an
// identity's sessions) and its audit trail.
struct RepoFace {
  WatchedRepo repo;
  mcp::Workplace workplace;
  std::unique_ptr<mcp::Gateway> gateway;
  std::unique_ptr<mcp::AuditTrail> audit;
};

struct HttpSession {
  std::string id;
  int64_t token_id = 0;
  RepoFace* face = nullptr;
  std::mutex mu;  // streams, current, last_used_ms
  std::condition_variable cv;
  std::vector<std::shared_ptr<Stream>> streams;
  std::shared_ptr<Stream> current;  // the POST being received: gets what matches no other
  // The GET stream: what the server sends of its own accord (resource updates); before
  // it opens they wait in `unsent`.
  std::shared_ptr<Stream> standalone;
  std::deque<json> unsent;
  int64_t last_used_ms = 0;
  bool ended = false;     // DELETE or the server's stop: streams stop waiting
  std::mutex receive_mu;  // one POST at a time through the session's reader
  std::unique_ptr<mcp::Session> session;  // last: ended first, while the streams exist

  ~HttpSession() { session.reset(); }

  // Called by the session for every message it sends.
  void Route(const json& msg) {
    std::lock_guard lock(mu);
    if (msg.is_array()) {
      for (const json& m : msg) RouteOne(m);
    } else {
      RouteOne(msg);
    }
    cv.notify_all();
  }

  void RouteOne(const json& m) {
    const bool response = m.contains("id") && !m.contains("method");
    std::string key;
    if (response) {
      key = m["id"].dump();
    } else if (m.value("method", "") == "notifications/progress") {
      key = m["params"]["progressToken"].dump();
    }
    for (auto& s : streams) {
      auto& set = response ? s->waiting : s->tokens;
      if (key.empty() || !set.contains(key)) continue;
      s->out.push_back(m);
      if (response) s->waiting.erase(key);
      return;
    }
    if (!response && key.empty()) return Unprompted(m);
    if (current) current->out.push_back(m);  // an error for an unreadable message
    // Else: nobody is listening any more (the client went away); the spec lets it go.
  }

  // A notification answering no request (notifications/resources/updated): the spec's
  // place for it is the GET stream.
  void Unprompted(const json& m) {
    if (standalone) return standalone->out.push_back(m);
    if (unsent.size() == kMaxUnsent) unsent.pop_front();
    unsent.push_back(m);
  }
};

// Collects the request ids and progress tokens of a POST body (an object or a batch).
void Expect(const json& body, Stream* s) {
  auto one = [s](const json& m) {
    if (!m.is_object() || !m.contains("method") || !m.contains("id")) return;
    s->waiting.insert(m["id"].dump());
    if (m.contains("params") && m["params"].is_object() && m["params"].contains("_meta") &&
        m["params"]["_meta"].is_object() && m["params"]["_meta"].contains("progressToken"))
      s->tokens.insert(m["params"]["_meta"]["progressToken"].dump());
  };
  if (body.is_array()) {
    for (const json& m : body) one(m);
  } else {
    one(body);
  }
  s->batch = body.is_array();
}

bool IsInitialize(const json& body) {
  auto init = [](const json& m) { return m.is_object() && m.value("method", "") == "initialize"; };
  return body.is_array() ? std::any_of(body.begin(), body.end(), init) : init(body);
}

// A JSON-RPC error as an HTTP answer (what the spec's transport errors carry).
void RpcRefuse(httplib::Response& res, int status, int code, const std::string& message) {
  res.status = status;
  res.set_content(mcp::ErrorResponse(nullptr, code, message).dump(), "application/json");
}

// A cancelled request gets no answer (the spec): its stream stops waiting for one.
void Forget(HttpSession& hs, const json& body) {
  if (!body.is_object() || body.value("method", "") != "notifications/cancelled" ||
      !body.contains("params") || !body["params"].is_object() ||
      !body["params"].contains("requestId"))
    return;
  std::lock_guard lock(hs.mu);
  for (auto& s : hs.streams) s->waiting.erase(body["params"]["requestId"].dump());
  hs.cv.notify_all();
}

// Cancels the session's calls and runs, waits for them, and ends its streams.
void End(HttpSession& hs) {
  {
    std::lock_guard lock(hs.mu);
    hs.ended = true;
    hs.cv.notify_all();
  }
  hs.session->Shutdown();
}

bool AcceptsEvents(const httplib::Request& req) {
  return req.get_header_value("Accept").find("text/event-stream") != std::string::npos;
}

}  // namespace mcp_http

using namespace mcp_http;

std::string ScopeAllows(Scope scope, const std::string& token_name, const mcp::Tool& tool,
                        const json& arguments) {
  Scope needed = Scope::kRead;
  switch (tool.access) {
    case mcp::Access::kRead:
      break;
    case mcp::Access::kRun:
      needed = Scope::kTrigger;
      break;
    case mcp::Access::kDeploy:
    case mcp::Access::kSafe:
      needed = Scope::kDeploy;
      break;
    case mcp::Access::kRelease:
      if (!arguments.value("dry_run", true)) needed = Scope::kDeploy;
      break;
  }
  if (scope >= needed) return "";
  return fmt::format(
      "denied: {} needs a token of scope {} and token '{}' has scope {}. What would allow "
      "it: an administrator creating a token of scope {} (`gauntlet token create NAME --scope "
      "{}`); the trust gateway still applies to it",
      tool.name, ToString(needed), token_name, ToString(scope), ToString(needed),
      ToString(needed));
}

bool LoopbackOrigin(const std::string& origin) {
  if (origin.empty()) return true;
  for (const char* scheme : {"http://", "https://"}) {
    if (origin.rfind(scheme, 0) != 0) continue;
    std::string host = origin.substr(strlen(scheme));
    if (host.starts_with("[::1]")) host = host.substr(5);
    else if (host.starts_with("localhost")) host = host.substr(9);
    else if (host.starts_with("127.0.0.1")) host = host.substr(9);
    else return false;
    // Nothing may follow but a port: "localhost.evil.example" is not loopback.
    return host.empty() || (host[0] == ':' && host.size() > 1 &&
                            host.find_first_not_of("0123456789", 1) == std::string::npos);
  }
  return false;
}

struct McpEndpoint::Impl {
  const ServerConfig& config;
  ServerDb& db;
  mcp::Toolbox tools;
  std::map<std::string, std::unique_ptr<RepoFace>> faces;
  std::mutex mu;  // sessions, stopping
  std::map<std::string, std::shared_ptr<HttpSession>> sessions;
  bool stopping = false;

  Impl(const ServerConfig& c, ServerDb& d) : config(c), db(d) {}

  std::optional<TokenRecord> Authenticate(const httplib::Request& req, httplib::Response& res);
  RepoFace* Face(const std::string& name, httplib::Response& res);
  std::shared_ptr<HttpSession> Open(RepoFace& face, const TokenRecord& token,
                                    httplib::Response& res);
  std::shared_ptr<HttpSession> Find(const httplib::Request& req, const TokenRecord& token,
                                    httplib::Response& res);
  void Post(const httplib::Request& req, httplib::Response& res, const std::string& repo);
  void Delete(const httplib::Request& req, httplib::Response& res);
  // The GET stream of a session: what it sends unprompted, as server-sent events.
  void Get(const httplib::Request& req, httplib::Response& res);
  int event_streams = 0;  // open GET streams, under mu
  // Waits until `stream` has every answer, the server stops, or `gone` says the client
  // left; `each` gets every message as it comes (false: the client is gone).
  void Drain(HttpSession& hs, const std::shared_ptr<Stream>& stream,
             const std::function<bool(const json&)>& each, const std::function<bool()>& gone);
  // Drains `stream` as server-sent events: the body of an SSE answer.
  httplib::ContentProviderWithoutLength EventStream(std::shared_ptr<HttpSession> hs,
                                                    std::shared_ptr<Stream> stream) {
    return [this, hs, stream](size_t, httplib::DataSink& sink) {
      Drain(*hs, stream, [&](const json& m) {
        const std::string frame =
            "event: message\ndata: " + m.dump(-1, ' ', false, json::error_handler_t::replace) +
            "\n\n";
        return sink.write(frame.data(), frame.size());
      }, [&] { return !sink.is_writable(); });
      sink.done();
      return true;
    };
  }
};

std::optional<TokenRecord> McpEndpoint::Impl::Authenticate(const httplib::Request& req,
                                                          httplib::Response& res) {
  const std::string header = req.get_header_value("Authorization");
  std::optional<TokenRecord> token;
  if (header.rfind("Bearer ", 0) == 0) {
    auto t = db.Authenticate(header.substr(7), NowMs());
    if (!t.ok()) {
      RpcRefuse(res, 503, mcp::kInternalError, "the token store is unavailable: " + t.error().message);
      return std::nullopt;
    }
    token = *t;
  }
  if (!token) {
    res.set_header("WWW-Authenticate", R"(Bearer realm="gauntlet")");
    RpcRefuse(res, 401, mcp::kInvalidRequest,
              header.empty() ? "/mcp needs Authorization: Bearer TOKEN (gauntlet token create "
                               "NAME --scope read|trigger|deploy|admin)"
                             : "unknown or revoked token");
  }
  return token;
}

RepoFace* McpEndpoint::Impl::Face(const std::string& name, httplib::Response& res) {
  if (name.empty() && faces.size() == 1) return faces.begin()->second.get();
  auto it = faces.find(name);
  if (it != faces.end()) return it->second.get();
  RpcRefuse(res, 404, mcp::kInvalidRequest,
            name.empty() ? "this server watches several repositories: use /mcp/NAME"
                         : "no watched repository named '" + name + "'");
  return nullptr;
}

std::shared_ptr<HttpSession> McpEndpoint::Impl::Open(RepoFace& face, const TokenRecord& token,
                                                     httplib::Response& res) {
  // The session works in the repository's kept working copy; before the first trigger
  // there is none yet, so it is checked out at the head of the default branch.
  std::error_code ec;
  if (!std::filesystem::exists(face.workplace.start_dir + "/.git", ec)) {
    auto head = vcs::ReadCommittedFile(face.repo.source, "HEAD", config.pipeline);
    auto done = head.ok() ? vcs::CheckoutAt(face.repo.source, face.workplace.start_dir,
                                            head->commit, head->branch)
                          : Result<vcs::CheckoutStats>(head.error());
    if (!done.ok()) {
      RpcRefuse(res, 503, mcp::kInternalError, "cannot check out " + face.repo.name + ": " +
                                                   done.error().message);
      return nullptr;
    }
  }
  auto hs = std::make_shared<HttpSession>();
  hs->id = NewToken().substr(4);  // 160 random bits, hex
  hs->token_id = token.id;
  hs->face = &face;
  hs->last_used_ms = NowMs();
  mcp::SessionOptions so;
  so.workplace = face.workplace;
  so.identity = token.name;
  so.transport = "http";
  so.may_call = [scope = token.scope, name = token.name](const mcp::Tool& t, const json& args) {
    return ScopeAllows(scope, name, t, args);
  };
  HttpSession* raw = hs.get();
  hs->session = std::make_unique<mcp::Session>(tools, *face.gateway, *face.audit, so,
                                               [raw](const json& m) { raw->Route(m); });
  std::vector<std::shared_ptr<HttpSession>> idle;  // ended outside the lock
  std::lock_guard lock(mu);
  for (auto it = sessions.begin(); it != sessions.end();) {
    std::lock_guard session_lock(it->second->mu);
    if (NowMs() - it->second->last_used_ms > kIdleMs && it->second->streams.empty() &&
        !it->second->standalone) {
      idle.push_back(std::move(it->second));
      it = sessions.erase(it);
    } else {
      ++it;
    }
  }
  if (stopping || sessions.size() >= kMaxSessions) {
    RpcRefuse(res, 503, mcp::kInternalError,
              stopping ? "the server is stopping"
                       : fmt::format("{} MCP sessions are open: end one (DELETE /mcp)", kMaxSessions));
    return nullptr;
  }
  sessions[hs->id] = hs;
  return hs;
}

std::shared_ptr<HttpSession> McpEndpoint::Impl::Find(const httplib::Request& req,
                                                     const TokenRecord& token,
                                                     httplib::Response& res) {
  const std::string id = req.get_header_value("Mcp-Session-Id");
  if (id.empty()) {
    RpcRefuse(res, 400, mcp::kInvalidRequest,
              "Mcp-Session-Id is required: send initialize first and use the id it returns");
    return nullptr;
  }
  std::shared_ptr<HttpSession> hs;
  {
    std::lock_guard lock(mu);
    auto it = sessions.find(id);
    if (it != sessions.end()) hs = it->second;
  }
  // Another token's session is as unknown as an ended one: ids are not shared.
  if (!hs || hs->token_id != token.id) {
    RpcRefuse(res, 404, mcp::kInvalidRequest,
              "no such session (it ended, or the server restarted): initialize a new one");
    return nullptr;
  }
  const std::string version = req.get_header_value("MCP-Protocol-Version");
  // Without the header the spec says to assume 2025-03-26, which every session here accepts.
  if (!version.empty() && version != hs->session->protocol_version()) {
    RpcRefuse(res, 400, mcp::kInvalidRequest,
              fmt::format("MCP-Protocol-Version {} is not this session's version ({})",
                          version.substr(0, 40), hs->session->protocol_version()));
    return nullptr;
  }
  std::lock_guard lock(hs->mu);
  hs->last_used_ms = NowMs();
  return hs;
}

void McpEndpoint::Impl::Drain(HttpSession& hs, const std::shared_ptr<Stream>& stream,
                              const std::function<bool(const json&)>& each,
                              const std::function<bool()>& gone) {
  std::unique_lock lock(hs.mu);
  while (true) {
    while (!stream->out.empty()) {
      json m = std::move(stream->out.front());
      stream->out.pop_front();
      lock.unlock();
      const bool ok = each(m);
      lock.lock();
      if (!ok) {  // the client is gone: nothing more is owed to it
        stream->waiting.clear();
        stream->open_ended = false;
      }
    }
    if ((stream->waiting.empty() && !stream->open_ended) || hs.ended) break;
    // Woken by Route and by Stop; the timeout only notices a client that went away.
    hs.cv.wait_for(lock, std::chrono::seconds(5));
    if (stream->out.empty() && gone()) break;
  }
  std::erase(hs.streams, stream);
  if (hs.standalone == stream) hs.standalone = nullptr;
}

void McpEndpoint::Impl::Post(const httplib::Request& req, httplib::Response& res,
                             const std::string& repo) {
  if (!LoopbackOrigin(req.get_header_value("Origin")))
    return RpcRefuse(res, 403, mcp::kInvalidRequest,
                     "Origin " + req.get_header_value("Origin").substr(0, 100) +
                         " may not call /mcp (only loopback origins: DNS rebinding)");
  auto token = Authenticate(req, res);
  if (!token) return;
  if (req.get_header_value("Content-Type").find("application/json") == std::string::npos)
    return RpcRefuse(res, 415, mcp::kInvalidRequest, "the body must be application/json");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded())
    return RpcRefuse(res, 400, mcp::kParseError, "parse error: the body is not JSON");
  std::shared_ptr<HttpSession> hs;
  const bool init = IsInitialize(body);
  if (init) {
    RepoFace* face = Face(repo, res);
    if (!face) return;
    hs = Open(*face, *token, res);
  } else {
    hs = Find(req, *token, res);
  }
  if (!hs) return;
  auto stream = std::make_shared<Stream>();
  Expect(body, stream.get());
  if (stream->waiting.empty()) {  // notifications and responses only
    std::lock_guard receive(hs->receive_mu);
    hs->session->Receive(req.body);
    Forget(*hs, body);
    res.status = 202;
    return;
  }
  {
    std::lock_guard receive(hs->receive_mu);
    {
      std::lock_guard lock(hs->mu);
      hs->streams.push_back(stream);
      hs->current = stream;
    }
    hs->session->Receive(req.body);
    std::lock_guard lock(hs->mu);
    hs->current = nullptr;
  }
  if (init) {
    std::lock_guard lock(hs->mu);
    const bool ok = !stream->out.empty() && stream->out.front().contains("result");
    if (ok) {
      res.set_header("Mcp-Session-Id", hs->id);
    } else {
      std::lock_guard sessions_lock(mu);
      sessions.erase(hs->id);  // an initialize that failed opens nothing
    }
  }
  bool ready = false;
  {
    std::lock_guard lock(hs->mu);
    ready = stream->waiting.empty();
  }
  if (ready || !AcceptsEvents(req)) {
    // Every answer is here (or the client takes JSON only: it waits for them).
    json answers = json::array();
    Drain(*hs, stream, [&](const json& m) {
      if (m.contains("id") && !m.contains("method")) answers.push_back(m);
      return true;
    }, [] { return false; });
    json out = stream->batch || answers.size() != 1 ? answers : answers[0];
    res.status = 200;
    res.set_content(out.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
    return;
  }
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider("text/event-stream", EventStream(hs, stream));
}

void McpEndpoint::Impl::Delete(const httplib::Request& req, httplib::Response& res) {
  if (!LoopbackOrigin(req.get_header_value("Origin")))
    return RpcRefuse(res, 403, mcp::kInvalidRequest, "this Origin may not call /mcp");
  auto token = Authenticate(req, res);
  if (!token) return;
  auto hs = Find(req, *token, res);
  if (!hs) return;
  {
    std::lock_guard lock(mu);
    sessions.erase(hs->id);
  }
  End(*hs);
  res.status = 204;
}

void McpEndpoint::Impl::Get(const httplib::Request& req, httplib::Response& res) {
  if (!LoopbackOrigin(req.get_header_value("Origin")))
    return RpcRefuse(res, 403, mcp::kInvalidRequest, "this Origin may not call /mcp");
  if (!AcceptsEvents(req))
    return RpcRefuse(res, 406, mcp::kInvalidRequest,
                     "GET /mcp is the server's event stream: Accept: text/event-stream");
  auto token = Authenticate(req, res);
  if (!token) return;
  auto hs = Find(req, *token, res);
  if (!hs) return;
  auto stream = std::make_shared<Stream>();
  stream->open_ended = true;
  {
    std::lock_guard lock(mu);
    std::lock_guard session_lock(hs->mu);
    if (hs->standalone)
      return RpcRefuse(res, 409, mcp::kInvalidRequest,
                       "this session's GET stream is open already: one per session");
    if (event_streams >= kMaxEventStreams)
      return RpcRefuse(res, 503, mcp::kInternalError,
                       fmt::format("{} MCP event streams are open: resource updates wait "
                                   "until one closes",
                                   kMaxEventStreams));
    ++event_streams;
    stream->out.swap(hs->unsent);
    hs->standalone = stream;
  }
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider(
      "text/event-stream", EventStream(hs, stream),
      [this, hs, stream](bool) {  // also when the client left before the first byte
        {
          std::lock_guard session_lock(hs->mu);
          if (hs->standalone == stream) hs->standalone = nullptr;
        }
        std::lock_guard lock(mu);
        --event_streams;
      });
}

McpEndpoint::McpEndpoint(const ServerConfig& config, ServerDb& db)
    : impl_(std::make_unique<Impl>(config, db)) {}

McpEndpoint::~McpEndpoint() { Stop(); }

void McpEndpoint::Install(httplib::Server& http) {
  Impl& m = *impl_;
  mcp::Policy policy;
  if (!m.config.mcp_policy_file.empty()) {
    auto p = mcp::LoadPolicy(m.config.mcp_policy_file);
    if (p.ok()) policy = std::move(*p);  // checked by Server::Start before this
  }
  for (const WatchedRepo& r : m.config.repos) {
    auto face = std::make_unique<RepoFace>();
    face->repo = r;
    const engine::Workspace ws = RepoWorkspace(m.config, r);
    face->workplace.file = ws.root + "/" + m.config.pipeline;
    face->workplace.start_dir = ws.root;
    face->workplace.state_dir = ws.state_dir;
    face->workplace.secrets_file = m.config.secrets_file;
    mcp::Workplace w = face->workplace;
    face->gateway = std::make_unique<mcp::Gateway>(
        policy, &RealClock(),
        [w](const std::string& identity) { return mcp::LevelOf(w, identity); },
        [w](const std::string& identity, const std::string& tool, const std::string& env,
            const json& a) {
          return mcp::AskApproval(w, identity, tool, env, a);
        });
    face->audit = std::make_unique<mcp::AuditTrail>(w);
    m.faces[r.name] = std::move(face);
  }
  auto post = [&m](const httplib::Request& req, httplib::Response& res) {
    m.Post(req, res, req.matches.size() > 1 ? req.matches[1].str() : "");
  };
  auto del = [&m](const httplib::Request& req, httplib::Response& res) { m.Delete(req, res); };
  auto get = [&m](const httplib::Request& req, httplib::Response& res) { m.Get(req, res); };
  for (const char* path : {"/mcp", R"(/mcp/([A-Za-z0-9._-]{1,100}))"}) {
    http.Post(path, post);
    http.Delete(path, del);
    http.Get(path, get);
  }
}

void McpEndpoint::Stop() {
  std::map<std::string, std::shared_ptr<HttpSession>> ended;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    ended.swap(impl_->sessions);
  }
  for (auto& [id, hs] : ended) End(*hs);
}

}  // namespace gauntlet::server
