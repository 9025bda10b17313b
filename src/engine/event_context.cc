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

nlohmann::json EventContext(const Event& event) {
  const nlohmann::json& p = event.payload;
  const nlohmann::json pusher = p.is_object() ? p.value("pusher", nlohmann::json()) : nullptr;
  std::string sha = Text(p, "after");
  if (sha.empty()) sha = Text(p, "sha");
  nlohmann::json inputs = p.is_object() && p.contains("inputs") && p["inputs"].is_object()
                              ? p["inputs"]
                              : nlohmann::json::object();
  return {{"name", event.name},
          {"ref", Text(p, "ref")},
          {"sha", sha},
          {"before", Text(p, "before")},
          {"after", Text(p, "after")},
          {"commits", Commits(p)},
          {"pusher", pusher.is_object() ? Text(pusher, "name") : Text(p, "pusher")},
          {"merged_branch", event.merged_branch},
          {"schedule", Text(p, "schedule")},
          {"inputs", std::move(inputs)},
          {"payload", p.is_null() ? nlohmann::json::object() : p}};
}

}  // namespace gauntlet::engine
