// Fuzzes the disk cache's record decoder (files on disk are untrusted: torn writes, bit rot,
// foreign files). A record that decodes must re-encode to exactly the same bytes: nothing
// unverified can pass, and nothing is read beyond the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cache/disk_format.h"

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "disk_record_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgefront;
  using namespace edgefront::cache;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Result<DecodedRecord> rec = decode_record(input);
  if (rec.ok()) {
    const RecordHead& head = rec.value().head;
    check(head.body_offset + head.body_length + kRecordTrailerBytes == size, "lengths");
    check(encode_record(head.primary, head.meta, rec.value().body) == input, "round trip");
  }
  // Meta alone (it has its own bounds checks) must round-trip too when it decodes.
  Result<ObjectMeta> meta = decode_meta(input);
  if (meta.ok()) check(encode_meta(meta.value()) == input, "meta round trip");
  // The head decoder against any claimed file size.
  if (size >= 8) {
    uint64_t claimed = 0;
    for (int i = 0; i < 8; ++i) claimed |= uint64_t(data[i]) << (8 * i);
    (void)decode_record_head(input.substr(8), claimed);
  }
  return 0;
}
