// The viewer's own cache directives (RFC 9111 5.2.1, 5.4). CloudFront ignores them (spec 3.5:
// a viewer cannot force a refetch); honour-origin mode follows them.
#pragma once

#include <chrono>
#include <optional>

#include "cache/freshness.h"
#include "config/config.h"
#include "http/message.h"

namespace edgefront::cache {

struct RequestDirectives {
  bool no_store = false;        // do not store the response to this request
  bool revalidate = false;      // no-cache, or Pragma: no-cache without Cache-Control
  bool only_if_cached = false;  // answer 504 rather than go to the origin
  std::optional<std::chrono::seconds> max_age;
  std::optional<std::chrono::seconds> min_fresh;
  std::optional<std::chrono::seconds> max_stale;
  bool max_stale_any = false;
};

// The directives that apply under `policy`: none at all in CloudFront mode.
RequestDirectives request_directives(const config::CachePolicy& policy,
                                     const http::RequestHead& request);

// Whether a stored response of the given age may answer the request without contacting the
// origin, as far as the request's directives are concerned (a fresh response the request
// accepts, or a stale one the request explicitly accepts via max-stale and the response does
// not forbid).
bool satisfies_request(const RequestDirectives& request, const StorageDecision& stored,
                       std::chrono::seconds age);

}  // namespace edgefront::cache
