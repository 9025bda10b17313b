// xxh3-128 digests: the one content hash of gauntlet (cache keys, input
// digests, artifact objects). Fast and well distributed, not cryptographic:
// it guards against accidents, not against someone forging collisions.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gauntlet {

struct Digest {
  uint64_t high = 0;
  uint64_t low = 0;
  // 32 lowercase hex digits, high half first.
  std::string Hex() const;
  static Result<Digest> FromHex(std::string_view hex);
  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;
};

// Whether `text` is 32 lowercase hex digits (a Digest::Hex()).
bool IsDigestHex(std::string_view text);

// Streaming xxh3-128. Feed bytes with Update, read with Final (the state may
// keep being fed afterwards).
class Hasher {
 public:
  Hasher();
  void Update(const void* data, size_t size);
  void Update(std::string_view text) { Update(text.data(), text.size()); }
  // Length-prefixed, so a sequence of fields cannot be confused with another
  // sequence that concatenates to the same bytes.
  void Field(std::string_view text);
  void Field(const Digest& d);
  Digest Final() const;

 private:
  struct Free {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
  };
  std::unique_ptr<XXH3_state_t, Free> state_;
};

Digest HashBytes(std::string_view bytes);

}  // namespace gauntlet
