#include "core/hash.h"

#include <cstdio>

namespace gauntlet {

std::string Digest::Hex() const {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return std::string(buf, 32);
}

bool IsDigestHex(std::string_view text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<Digest> Digest::FromHex(std::string_view hex) {
  if (!IsDigestHex(hex)) return Error{"not a digest: '" + std::string(hex) + "'"};
  Digest d;
  for (size_t i = 0; i < 32; ++i) {
    const char c = hex[i];
    const uint64_t v = c <= '9' ? c - '0' : c - 'a' + 10;
    uint64_t& half = i < 16 ? d.high : d.low;
    half = (half << 4) | v;
  }
  return d;
}

Hasher::Hasher() : state_(XXH3_createState()) { XXH3_128bits_reset(state_.get()); }

void Hasher::Update(const void* data, size_t size) {
  XXH3_128bits_update(state_.get(), data, size);
}

void Hasher::Field(std::string_view text) {
  const uint64_t n = text.size();
  Update(&n, sizeof(n));
  Update(text);
}

void Hasher::Field(const Digest& d) {
  Update(&d.high, sizeof(d.high));
  Update(&d.low, sizeof(d.low));
}

Digest Hasher::Final() const {
  const XXH128_hash_t h = XXH3_128bits_digest(state_.get());
  return Digest{h.high64, h.low64};
}

Digest HashBytes(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return Digest{h.high64, h.low64};
}

}  // namespace gauntlet
