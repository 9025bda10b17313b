// The on-disk framing of a run's log file (.gauntlet/logs/<run>.log).
//
//   file   := file_header frame* [index_frame footer]
//   file_header (16 bytes) := "GAUNTLOG" u32 version=1 u32 reserved
//   frame  := header(16 bytes) payload(length bytes)
//   header := u32 job  u16 attempt  u8 kind  u8 reserved  u32 length  u32 checksum
//   checksum := XXH32(payload, seed = XXH32(header bytes 0..11, seed 0))
//   kind   := 0 output | 1 truncation marker (payload: the marker text) | 2 index
//   footer (16 bytes, after the index frame) := u64 index_frame_offset "GLOGIDX1"
// All integers little-endian. The index frame's payload is a sequence of
//   u32 job  u16 attempt  u16 reserved  u64 stored  u64 dropped  u32 n
//   n x (u64 begin  u64 end)    -- extents of the file holding only that job's frames
//
// A frame is valid when it lies entirely inside the file and its checksum
// matches: a frame torn by a crash (or still being written while a reader
// looks) is not valid, and reading stops before it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gauntlet::store::logfmt {

inline constexpr std::string_view kFileMagic = "GAUNTLOG";
inline constexpr std::string_view kFooterMagic = "GLOGIDX1";
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kFileHeaderSize = 16;
inline constexpr size_t kFrameHeaderSize = 16;
inline constexpr size_t kFooterSize = 16;

enum class Kind : uint8_t { kOutput = 0, kTruncated = 1, kIndex = 2 };

struct FrameHeader {
  uint32_t job = 0;
  uint16_t attempt = 0;
  Kind kind = Kind::kOutput;
  uint32_t length = 0;
  uint32_t checksum = 0;
};

std::string FileHeader();
// Appends a complete frame (header + payload) to `out`.
void AppendFrame(std::string* out, uint32_t job, uint16_t attempt, Kind kind,
                 std::string_view payload);
// Decodes a header from kFrameHeaderSize bytes (no validation of the payload).
FrameHeader DecodeHeader(const char* p);
bool ChecksumMatches(const FrameHeader& h, const char* header_bytes, std::string_view payload);

void PutU16(std::string* out, uint16_t v);
void PutU32(std::string* out, uint32_t v);
void PutU64(std::string* out, uint64_t v);
uint16_t GetU16(const char* p);
uint32_t GetU32(const char* p);
uint64_t GetU64(const char* p);

}  // namespace gauntlet::store::logfmt
