#include "spec/workflow_context.h"

#include <string_view>

#include "spec/workflow_script.h"

namespace gauntlet::spec {
namespace {

using json = nlohmann::json;

// A string at `path` in `j`, "" when any part is missing or not a string.
std::string At(const json& j, std::initializer_list<std::string_view> path) {
  const json* at = &j;
  for (std::string_view key : path) {
    if (!at->is_object()) return "";
    auto it = at->find(key);
    if (it == at->end()) return "";
    at = &*it;
  }
  return at->is_string() ? at->get<std::string>() : "";
}

// gauntlet's event names onto GitHub's.
std::string EventName(const std::string& name) {
  if (name == "manual" || name.empty()) return "workflow_dispatch";
  if (name == "webhook") return "repository_dispatch";
  if (name == "run") return "workflow_run";
  return name;
}

}  // namespace

void AddWorkflowContexts(const WorkflowRunFacts& facts, json* contexts) {
  static const json kManual = {{"name", "manual"}};
  const json& event = facts.event && facts.event->is_object() ? *facts.event : kManual;
  const json payload =
      event.contains("payload") && event["payload"].is_object() ? event["payload"] : json::object();
  const std::string name = EventName(At(event, {"name"}));
  std::string ref = At(event, {"ref"});
  if (ref.empty() && name == "pull_request") {
    std::string number = payload.contains("number") ? payload["number"].dump() : "";
    if (!number.empty()) ref = "refs/pull/" + number + "/merge";
  }
  if (ref.empty() && !facts.branch.empty()) ref = "refs/heads/" + facts.branch;
  std::string ref_name = ref, ref_type = "branch";
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"}) {
    if (ref.rfind(prefix, 0) != 0) continue;
    ref_name = ref.substr(prefix.size());
    if (prefix == "refs/tags/") ref_type = "tag";
  }
  json inputs = event.contains("inputs") && event["inputs"].is_object() ? event["inputs"]
                                                                        : json::object();
  json github_event = payload;
  if (name == "workflow_dispatch" && !github_event.contains("inputs")) github_event["inputs"] = inputs;
  std::string actor = At(event, {"pusher"});
  if (actor.empty()) actor = At(payload, {"sender", "login"});
  std::string sha = At(event, {"sha"});
  if (sha.empty() && name == "pull_request") sha = At(payload, {"pull_request", "head", "sha"});
  (*contexts)["github"] = {
      {"event_name", name},
      {"event", std::move(github_event)},
      {"ref", ref},
      {"ref_name", ref_name},
      {"ref_type", ref_type},
      {"sha", sha},
      {"head_ref", At(payload, {"pull_request", "head", "ref"})},
      {"base_ref", At(payload, {"pull_request", "base", "ref"})},
      {"repository", At(payload, {"repository", "full_name"})},
      {"repository_owner", At(payload, {"repository", "owner", "login"})},
      {"actor", actor},
      {"workflow", facts.workflow},
      {"job", facts.job},
      {"run_id", facts.run_id},
      {"run_number", facts.run_id},
      {"run_attempt", "1"},
      {"workspace", facts.workspace},
      {"server_url", "https://github.com"},
      {"action", ""},
      {"token", ""},
  };
  (*contexts)["inputs"] = std::move(inputs);
  (*contexts)["steps"] = facts.script ? StepPlaceholders(*facts.script) : json::object();
  (*contexts)["vars"] = json::object();
  (*contexts)["runner"] = {{"os", "Linux"}, {"arch", "X64"}, {"name", "gauntlet"},
                           {"environment", "self-hosted"}};
  (*contexts)["job"] = {{"status", "success"}};
  (*contexts)["strategy"] = {
      {"fail-fast", facts.fail_fast},
      {"job-index", facts.job_index},
      {"job-total", facts.job_total},
      {"max-parallel", facts.max_parallel > 0 ? facts.max_parallel : facts.job_total}};
}

}  // namespace gauntlet::spec
