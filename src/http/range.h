// Range requests (RFC 9110 14) with CloudFront's leniency (cloudfront-spec.md 3.12): a
// syntactically invalid, descending or overlapping Range is ignored (200, full body).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace edgefront::http {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
  bool operator==(const ByteRange&) const = default;
};

struct RangeRequest {
  enum class Kind {
    kIgnore,         // no usable Range: send 200 with the full body
    kSatisfiable,    // send 206 with `ranges` (in request order)
    kUnsatisfiable,  // send 416 with Content-Range: bytes */size
  };
  Kind kind = Kind::kIgnore;
  std::vector<ByteRange> ranges;
};

// Parses a Range header value for a representation of `size` bytes.
RangeRequest parse_range(std::string_view header, uint64_t size);

// RFC 9110 13.1.5: true when If-Range allows the range (strong ETag equality, or an HTTP date
// exactly equal to a Last-Modified that is strong).
bool if_range_matches(std::string_view if_range, const HeaderList& stored);

// The full decision for a request: Range is only considered for GET, and only when If-Range
// (if any) matches.
RangeRequest evaluate_range(const RequestHead& request, const HeaderList& stored, uint64_t size);

// "bytes first-last/size" and "bytes */size".
std::string content_range(const ByteRange& range, uint64_t size);
std::string unsatisfied_content_range(uint64_t size);

}  // namespace edgefront::http
