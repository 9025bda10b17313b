#include "store/log_format.h"

#include <xxhash.h>

namespace gauntlet::store::logfmt {
namespace {

constexpr size_t kChecksummedHeaderBytes = 12;

uint32_t Checksum(const char* header_bytes, std::string_view payload) {
  uint32_t seed = XXH32(header_bytes, kChecksummedHeaderBytes, 0);
  return XXH32(payload.data(), payload.size(), seed);
}

}  // namespace

void PutU16(std::string* out, uint16_t v) {
  for (int i = 0; i < 2; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint16_t GetU16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(u[0] | (u[1] << 8));
}
uint32_t GetU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | (uint32_t{u[1]} << 8) | (uint32_t{u[2]} << 16) | (uint32_t{u[3]} << 24);
}
uint64_t GetU64(const char* p) { return uint64_t{GetU32(p)} | (uint64_t{GetU32(p + 4)} << 32); }

std::string FileHeader() {
  std::string h(kFileMagic);
  PutU32(&h, kVersion);
  PutU32(&h, 0);
  return h;
}

void AppendFrame(std::string* out, uint32_t job, uint16_t attempt, Kind kind,
                 std::string_view payload) {
  const size_t start = out->size();
  PutU32(out, job);
  PutU16(out, attempt);
  out->push_back(static_cast<char>(kind));
  out->push_back(0);
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU32(out, Checksum(out->data() + start, payload));
  out->append(payload);
}

FrameHeader DecodeHeader(const char* p) {
  FrameHeader h;
  h.job = GetU32(p);
  h.attempt = GetU16(p + 4);
  h.kind = static_cast<Kind>(static_cast<uint8_t>(p[6]));
  h.length = GetU32(p + 8);
  h.checksum = GetU32(p + 12);
  return h;
}

bool ChecksumMatches(const FrameHeader& h, const char* header_bytes, std::string_view payload) {
  return payload.size() == h.length && Checksum(header_bytes, payload) == h.checksum;
}

}  // namespace gauntlet::store::logfmt
