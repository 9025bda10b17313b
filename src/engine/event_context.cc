#include "engine/event_context.h"

namespace gauntlet::engine {
namespace {

std::string Text(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// A push payload's commits in a short, stable shape (GitHub's carries more).
nlohmann::json Commits(const nlohmann::json& payload) {
  nlohmann::json out = nlohmann::json::array();
  if (!payload.is_object() || !payload.contains("commits") || !payload["commits"].is_array())
    return out;
  for (const nlohmann::json& c : payload["commits"]) {
    if (!c.is_object()) continue;
    out.push_back({{"id", Text(c, "id")},
                   {"message", Text(c, "message")},
                   {"author", Text(c.value("author", nlohmann::json::object()), "name")}});
  }
  return out;
}

}  // namespace

// GitHub's pull_request payload in a short, stable shape; empty fields for another event.
nlohmann::json PullRequest(const nlohmann::json& payload) {
  const nlohmann::json pr = payload.is_object() ? payload.value("pull_request", nlohmann::json())
                                                : nlohmann::json();
  auto part = [&](const char* side, const char* key) {
    return pr.is_object() ? Text(pr.value(side, nlohmann::json()), key) : std::string();
  };
  int64_t number = 0;
  if (payload.is_object() && payload.contains("number") && payload["number"].is_number_integer())
    number = payload["number"].get<int64_t>();
  return {{"number", number},
          {"title", pr.is_object() ? Text(pr, "title") : ""},
          {"head_ref", part("head", "ref")},
          {"head_sha", part("head", "sha")},
          {"base_ref", part("base", "ref")},
          {"author", part("user", "login")}};
}

nlohmann::json EventContext(const Event& event) {
  const nlohmann::json& p = event.payload;
  nlohmann::json pull_request = PullRequest(p);
  const nlohmann::json pusher = p.is_object() ? p.value("pusher", nlohmann::json()) : nullptr;
  std::string sha = Text(p, "after");
  if (sha.empty()) sha = Text(p, "sha");
  if (sha.empty()) sha = pull_request["head_sha"].get<std::string>();
  std::string ref = Text(p, "ref");
  if (ref.empty() && pull_request["number"] != 0)
    ref = "refs/pull/" + std::to_string(pull_request["number"].get<int64_t>()) + "/head";
  nlohmann::json inputs = p.is_object() && p.contains("inputs") && p["inputs"].is_object()
                              ? p["inputs"]
                              : nlohmann::json::object();
  return {{"name", event.name},
          {"ref", ref},
          {"sha", sha},
          {"before", Text(p, "before")},
          {"after", Text(p, "after")},
          {"commits", Commits(p)},
          {"pusher", pusher.is_object() ? Text(pusher, "name") : Text(p, "pusher")},
          {"merged_branch", event.merged_branch},
          {"webhook", {{"name", event.webhook_name}, {"delivery", event.webhook_delivery}}},
          {"schedule", Text(p, "schedule")},
          {"inputs", std::move(inputs)},
          {"pull_request", std::move(pull_request)},
          {"payload", p.is_null() ? nlohmann::json::object() : p}};
}

}  // namespace gauntlet::engine
