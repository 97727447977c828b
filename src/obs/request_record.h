// What one viewer request did, gathered while it is served and read once it has ended: by the
// access log now, by metrics and later phases next. One per request, on its worker, never shared.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace edgefront::obs {

// CloudFront's x-edge-result-type values (cloudfront-spec.md section 8); the X-Cache header
// says the same in words ("Hit from edgefront").
enum class EdgeResult : uint8_t {
  kMiss,
  kHit,
  kRefreshHit,
  kError,
  kRedirect,
  kLimitExceeded,
  kCapacityExceeded,
};
std::string_view edge_result_name(EdgeResult result);
// "Hit from edgefront", ... for the X-Cache header.
std::string_view x_cache_value(EdgeResult result);

struct RequestRecord {
  // The viewer's side.
  std::string_view client_ip;
  uint16_t client_port = 0;
  bool tls = false;
  std::string_view tls_protocol;  // "TLSv1.3"; empty for plain HTTP
  std::string_view tls_cipher;    // OpenSSL's name, e.g. "TLS_AES_128_GCM_SHA256"
  bool http2 = false;
  SteadyTime received{};  // the request's head was complete
  uint64_t bytes_in = 0;  // request line, fields and body as received

  // What the edge made of it.
  std::string_view distribution_id;
  EdgeResult result = EdgeResult::kMiss;           // after the last byte
  EdgeResult response_result = EdgeResult::kMiss;  // when the response started
  std::string_view detailed_error;                 // for Error: "OriginConnectError", ...
  std::string_view origin_id;                      // who answered, if an origin did
  uint16_t attempts = 0;                           // origin attempts made

  // The answer as it left.
  int status = 0;  // 0: nothing was sent
  uint64_t bytes_out = 0;
  std::optional<SteadyTime> first_byte;
  bool aborted = false;  // the response was cut off (origin failed mid-body, viewer gone)
  std::string content_type;
  std::optional<uint64_t> content_length;
  std::optional<std::pair<uint64_t, uint64_t>> range;  // from Content-Range
};

}  // namespace edgefront::obs
