// Storage and freshness decisions (cloudfront-spec.md 3.5, 3.9, 3.11; RFC 9111 3, 4.2, 4.3.4).
// Pure: every time is passed in; nothing here reads a clock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "config/config.h"
#include "http/message.h"

namespace edgefront::cache {

struct StorageDecision {
  std::chrono::seconds ttl{0};  // freshness lifetime
  std::chrono::seconds stale_while_revalidate{0};
  std::chrono::seconds stale_if_error{0};
  bool store = false;              // beside the other flags: one padding gap, not two
  bool revalidate_always = false;  // stored but must revalidate each use (no-cache)
  bool collapsible = true;         // spec 3.11
  bool strip_set_cookie = false;   // store without Set-Cookie (no-cache="Set-Cookie")
  bool must_revalidate = false;    // once stale, never served without revalidation (RFC 9111 4.2.4)
  bool heuristic = false;          // ttl came from Last-Modified (RFC 9111 4.2.2)
  // Serve the stored copy, however stale, while the origin fails with 5xx/no answer (spec
  // 3.5 warning and 3.9; CloudFront mode only; off with must-revalidate or stale-if-error=0).
  bool serve_stale_on_origin_error = false;
  std::vector<std::string> omit_fields;  // header fields not to store (qualified no-cache/private)
  std::string_view reason;               // why not stored (for Cache-Status detail)
};

// Whether and for how long a response to `request` may be stored. `error_caching_min_ttl`
// is the distribution's ErrorCachingMinTTL for this status (10 s unless customised).
StorageDecision decide_storage(const config::CachePolicy& policy, const http::RequestHead& request,
                               const http::ResponseHead& response, SystemTime response_time,
                               std::chrono::seconds error_caching_min_ttl);

// The inputs of RFC 9111 4.2.3's age calculation.
struct AgeInputs {
  SystemTime request_time;            // when the request that produced the response was sent
  SystemTime response_time;           // when the response was received
  std::optional<SystemTime> date;     // Date header value
  std::chrono::seconds age_value{0};  // Age header value (0 if absent or invalid)
};

// Reads Date and Age from a response's headers.
AgeInputs age_inputs(const http::HeaderList& response, SystemTime request_time,
                     SystemTime response_time);

// RFC 9111 4.2.3 current_age; never negative.
std::chrono::seconds current_age(const AgeInputs& in, SystemTime now);

// What a stored response may be used for at a given age.
enum class Freshness {
  kFresh,                 // serve
  kStaleWhileRevalidate,  // serve, and revalidate in the background
  kStale,                 // revalidate first (stale-if-error may still apply on failure)
};
Freshness classify_freshness(const StorageDecision& stored, std::chrono::seconds age);

// True when a stale response may still be served because the origin failed (stale-if-error,
// RFC 5861 4); never for must-revalidate responses.
bool usable_on_error(const StorageDecision& stored, std::chrono::seconds age);

// Whether concurrent misses under this policy may wait for one origin fetch (spec 3.11:
// not with CachingDisabled nor when cookies go to the origin).
bool policy_allows_collapsing(const config::CachePolicy& policy,
                              const config::Forwarding& forwarding);

// RFC 9111 4.3.4: updates a stored response's headers from a 304, never the framing
// (Content-Length, Transfer-Encoding, Content-Range...) nor hop-by-hop fields.
void refresh_from_304(http::HeaderList& stored, const http::HeaderList& not_modified);

}  // namespace edgefront::cache
