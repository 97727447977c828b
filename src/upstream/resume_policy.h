// Continuing a body the origin cut off (pure): may this response be continued from an
// offset, the continuation request (Range: bytes=N- with If-Range), and does the answer to
// it carry exactly the missing bytes of the same representation. The I/O is in
// resuming_body.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/exchange.h"
#include "http/message.h"

namespace edgefront::upstream {

// What a continuation must match, taken from the response whose body broke.
struct ResumePlan {
  std::string if_range;            // the strong ETag, else the Last-Modified date
  std::string etag;                // empty: none (the plan rests on Last-Modified)
  std::string last_modified;       // empty: none
  std::string content_encoding;    // empty: identity
  std::optional<uint64_t> length;  // the whole body's Content-Length, when known
};

// A GET without Range answered 200 may be continued when its bytes can be named across
// servers: a strong ETag, or a Content-Length with a Last-Modified that is strong (RFC 9110
// 8.8.2.2: at least a second before the response's Date, when it has one). Not when the
// origin says `Accept-Ranges: none`, nor for a bodiless or close-delimited answer (its end
// cannot be told from a cut).
std::optional<ResumePlan> plan_resume(const http::RequestHead& request,
                                      const http::ResponseHead& response, http::BodyLength length);

// Turns `request` (the one that got the broken answer, rebuilt for the next origin) into the
// continuation: other conditionals and ranges removed, Range: bytes=`offset`- and If-Range.
void make_continuation_request(http::RequestHead& request, const ResumePlan& plan, uint64_t offset);

// "bytes first-last/complete" (complete "*" = unknown); nullopt if malformed.
struct ContentRange {
  uint64_t first = 0;
  uint64_t last = 0;
  std::optional<uint64_t> complete;
  bool operator==(const ContentRange&) const = default;
};
std::optional<ContentRange> parse_content_range(std::string_view value);

enum class ContinuationCheck {
  kSplice,            // a 206 with the bytes from `offset` to the end, same representation
  kNotPartial,        // not a 206 (If-Range failed, or ranges are not supported)
  kWrongRange,        // missing, malformed or another range than offset..end
  kValidatorChanged,  // ETag or Last-Modified differ from the broken answer's
  kEncodingChanged,   // another Content-Encoding
};
const char* continuation_check_name(ContinuationCheck check);

// Whether `response` to the continuation request for `offset` continues the planned body.
ContinuationCheck check_continuation(const ResumePlan& plan, uint64_t offset,
                                     const http::ResponseHead& response);

}  // namespace edgefront::upstream
