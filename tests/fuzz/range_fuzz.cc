// Fuzzes the Range parser (viewer input): satisfiable ranges lie inside the representation,
// are non-empty, never overlap and are at most 64; the size comes from the input too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "http/range.h"

using edgefront::http::ByteRange;
using edgefront::http::parse_range;
using edgefront::http::RangeRequest;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "range_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t length = 1000;
  if (size >= sizeof(uint64_t)) {
    std::memcpy(&length, data, sizeof(length));
    if (data[0] & 1) length %= 100000;  // mostly small sizes, sometimes huge ones
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  RangeRequest r = parse_range(text, length);
  if (r.kind != RangeRequest::Kind::kSatisfiable) {
    check(r.ranges.empty(), "ranges only when satisfiable");
    return 0;
  }
  check(!r.ranges.empty() && r.ranges.size() <= 64, "1..64 ranges");
  std::vector<ByteRange> sorted = r.ranges;
  std::sort(sorted.begin(), sorted.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.first < b.first; });
  for (size_t i = 0; i < sorted.size(); ++i) {
    check(sorted[i].first <= sorted[i].last, "first <= last");
    check(sorted[i].last < length, "inside the representation");
    if (i > 0) check(sorted[i].first > sorted[i - 1].last, "no overlap");
  }
  return 0;
}
