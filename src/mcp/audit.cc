#include "mcp/audit.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

#include "engine/pipeline.h"
#include "engine/workspace.h"
#include "store/open.h"

namespace gauntlet::mcp {
namespace {

using nlohmann::json;
constexpr size_t kMaxString = 1024;

bool NamesSecret(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"secret", "token", "password", "passwd", "api_key", "credential"})
    if (key.find(word) != std::string::npos) return true;
  return false;
}

std::string MaskString(std::string s, const std::vector<std::string>& secrets) {
  for (const std::string& v : secrets) {
    if (v.empty()) continue;
    for (size_t at = s.find(v); at != std::string::npos; at = s.find(v, at + 3))
      s.replace(at, v.size(), "***");
  }
  if (s.size() > kMaxString)
    s = s.substr(0, kMaxString) + fmt::format("... ({} bytes in all)", s.size());
  return s;
}

}  // namespace

json MaskArguments(const json& arguments, const std::vector<std::string>& secret_values) {
  if (arguments.is_string()) return MaskString(arguments, secret_values);
  if (arguments.is_array()) {
    json out = json::array();
    for (const json& e : arguments) out.push_back(MaskArguments(e, secret_values));
    return out;
  }
  if (!arguments.is_object()) return arguments;
  json out = json::object();
  for (const auto& [key, v] : arguments.items()) {
    const std::string k = MaskString(key, secret_values);
    out[k] = NamesSecret(key) ? json("***") : MaskArguments(v, secret_values);
  }
  return out;
}

void AuditTrail::Record(store::AuditRecord record) {
  std::lock_guard lock(mu_);
  if (!store_) {
    engine::LoadedPipeline loaded = engine::LoadPipeline(workplace_.file, workplace_.start_dir);
    if (loaded.file.empty()) {
      fmt::print(stderr, "gauntlet mcp: audit: no pipeline file, so no store to record {} in\n",
                 record.tool);
      return;
    }
    engine::Workspace ws = engine::WorkspaceForFile(loaded.file, workplace_.state_dir);
    auto st = store::OpenStore(ws.store_url());
    if (!st.ok()) {
      fmt::print(stderr, "gauntlet mcp: audit: {}\n", st.error().message);
      return;
    }
    store_ = std::move(*st);
  }
  if (auto id = store_->RecordAudit(record); !id.ok())
    fmt::print(stderr, "gauntlet mcp: audit: {}\n", id.error().message);
}

}  // namespace gauntlet::mcp
