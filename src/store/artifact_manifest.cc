#include "store/artifact_manifest.h"

#include <nlohmann/json.hpp>

#include "core/glob.h"
#include "core/hash.h"

namespace gauntlet::store {

std::string ManifestToJson(const std::vector<ArtifactEntry>& manifest) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : manifest) {
    out.push_back({{"path", e.path}, {"hash", e.hash}, {"size", e.size}, {"mode", e.mode}});
  }
  return out.dump();
}

Result<std::vector<ArtifactEntry>> ManifestFromJson(std::string_view json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_array()) return Error{"artifact manifest: not a JSON array"};
  std::vector<ArtifactEntry> out;
  for (size_t i = 0; i < doc.size(); ++i) {
    const auto& j = doc[i];
    const std::string where = "artifact manifest entry " + std::to_string(i);
    if (!j.is_object() || !j.contains("path") || !j["path"].is_string() || !j.contains("hash") ||
        !j["hash"].is_string() || !j.contains("size") || !j["size"].is_number_unsigned() ||
        !j.contains("mode") || !j["mode"].is_number_unsigned()) {
      return Error{where + ": needs string path and hash, unsigned size and mode"};
    }
    ArtifactEntry e;
    e.path = j["path"].get<std::string>();
    e.hash = j["hash"].get<std::string>();
    e.size = j["size"].get<uint64_t>();
    e.mode = static_cast<uint32_t>(j["mode"].get<uint64_t>() & 0777);
    if (!IsCleanRelativePath(e.path)) {
      return Error{where + ": path '" + e.path + "' would escape the workspace"};
    }
    if (!IsDigestHex(e.hash)) return Error{where + ": '" + e.hash + "' is not an object hash"};
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace gauntlet::store
