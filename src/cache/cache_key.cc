#include "cache/cache_key.h"

namespace gauntlet::cache {

std::string CacheKey(const CacheKeyParts& parts) {
  Hasher h;
  // Bump the version when the key's contents change meaning, so old entries
  // stop matching instead of being reused wrongly.
  h.Field("gauntlet-cache-key-v1");
  h.Field(parts.definition);
  h.Field(parts.inputs);
  h.Field(std::to_string(parts.need_outputs.size()));
  for (const auto& [need, outputs] : parts.need_outputs) {
    h.Field(need);
    h.Field(std::to_string(outputs.size()));
    for (const auto& [key, value] : outputs) {
      h.Field(key);
      h.Field(value);
    }
  }
  return h.Final().Hex();
}

}  // namespace gauntlet::cache
