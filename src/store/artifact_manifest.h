// The JSON form of an artifact manifest, as recorded per run and job:
// [{"path": "dist/app", "hash": "<32 hex>", "size": 123, "mode": 493}, ...]
// Parsing validates every entry (clean relative path, digest-shaped hash), so
// a tampered record is refused before Restore sees it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/artifact_store.h"

namespace gauntlet::store {

std::string ManifestToJson(const std::vector<ArtifactEntry>& manifest);
Result<std::vector<ArtifactEntry>> ManifestFromJson(std::string_view json);

}  // namespace gauntlet::store
