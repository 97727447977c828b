// What a behavior that caches sends to the origin without keying on it: a header the origin
// reads but the cache key does not hold lets one viewer's value decide the object every later
// viewer gets (web cache poisoning). `validate` and `serve` warn about it (docs/design/cache.md).
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace edgefront::config {

struct UnkeyedForwarding {
  // Named by the origin request policy's allow list and not in the cache key ("Host" too).
  std::vector<std::string> headers;
  // The origin request policy sends every viewer header (all_viewer, all_except).
  bool every_viewer_header = false;
  // The viewer's Host reaches the origin (with every_viewer_header, or forward_viewer_host on
  // one of `host_origins`) while the cache key does not hold Host.
  bool viewer_host = false;
  // Origins reached by the behavior that send the viewer's Host (forward_viewer_host).
  std::vector<std::string> host_origins;

  bool empty() const { return headers.empty() && !every_viewer_header && host_origins.empty(); }
};

// Whether a behavior stores responses: a cache policy with a TTL above 0 and not the RFC 9111
// mode (whose key is the origin's Vary, so the origin decides what is keyed).
bool caches_with_policy_key(const CachePolicy& policy);

// Empty when the behavior does not cache or sends nothing unkeyed beyond CloudFront's default
// forwarding (whose dangerous headers upstream/unkeyed_headers.h removes on caching behaviors).
UnkeyedForwarding unkeyed_forwarding(const Distribution& d, const CacheBehavior& b);

// The cache key's header names for a message: "Host, Origin", or "no header".
std::string keyed_headers_text(const CachePolicy& policy);

}  // namespace edgefront::config
