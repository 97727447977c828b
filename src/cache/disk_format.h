// The on-disk record of one stored variant. Files are untrusted input on read (a torn write,
// a flipped bit, a hash collision, someone else's file): nothing is served before both
// checksums and the primary key have been verified.
//
//   header (32 bytes, little endian):
//     magic "EFDC" | version u32 | primary_len u32 | meta_len u32 | body_len u64 |
//     head_checksum u64  (XXH3 of header[0..24) + primary + meta)
//   primary key text | serialized ObjectMeta | body | body_checksum u64 (XXH3 of the body's
//   XXH3, seeded with head_checksum, so a body never verifies against another record's head;
//   the body itself is hashed unseeded so a streaming writer can hash before it knows the
//   length the head will carry)
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cache/cached_object.h"

namespace edgefront::cache {

inline constexpr size_t kRecordHeaderBytes = 32;
inline constexpr size_t kRecordTrailerBytes = 8;
inline constexpr uint32_t kRecordVersion = 2;  // 2: the edge's compression coding
// Bounds that keep a corrupt length from making a reader allocate gigabytes.
inline constexpr uint32_t kMaxPrimaryBytes = 64 << 10;
inline constexpr uint32_t kMaxMetaBytes = 1 << 20;

// Head of a record: enough to index it and to check it against invalidations.
struct RecordHead {
  std::string primary;
  ObjectMeta meta;
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
  uint64_t head_checksum = 0;
};

std::string encode_meta(const ObjectMeta& meta);
Result<ObjectMeta> decode_meta(std::string_view bytes);

// Header, primary key and meta, for a body of `body_length` bytes that follows.
std::string encode_record_head(std::string_view primary, const ObjectMeta& meta,
                               uint64_t body_length);
// The whole record in one string (small bodies, tests).
std::string encode_record(std::string_view primary, const ObjectMeta& meta, std::string_view body);

// Length of header + primary + meta named by the first kRecordHeaderBytes of a record.
Result<uint64_t> record_head_length(std::string_view header);
// Decodes the head of a record of `file_size` bytes from `prefix` (at least
// record_head_length bytes); verifies the head checksum and that the lengths add up.
Result<RecordHead> decode_record_head(std::string_view prefix, uint64_t file_size);

// The head checksum stored in an encoded head (what the body checksum is bound to).
uint64_t record_head_checksum(std::string_view encoded_head);

// The body checksum a record ends with; streaming writers feed the state chunk by chunk.
class BodyChecksum {
 public:
  BodyChecksum();
  ~BodyChecksum();
  BodyChecksum(const BodyChecksum&) = delete;
  BodyChecksum& operator=(const BodyChecksum&) = delete;
  void update(std::string_view data);
  uint64_t digest(uint64_t head_checksum) const;

 private:
  XXH3_state_t* state_;
};
std::string encode_trailer(uint64_t body_checksum);

// A whole record, verified: head checksum, body checksum, lengths, and (when given) that it
// was stored under `expected_primary`.
struct DecodedRecord {
  RecordHead head;
  std::string_view body;  // into the input
};
Result<DecodedRecord> decode_record(std::string_view bytes, std::string_view expected_primary = {});

}  // namespace edgefront::cache
