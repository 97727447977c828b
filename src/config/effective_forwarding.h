// Bridges cache policies and the legacy ForwardedValues model (cloudfront-spec.md 3.5, 3.8).
#pragma once

#include <optional>

#include "config/config.h"

namespace edgefront::config {

// What goes to the origin when a behavior uses a cache policy (and maybe an origin request
// policy): the union of both (spec 3.8). Honour-origin forwards everything.
Forwarding effective_forwarding(const CachePolicy& cache,
                                const std::optional<OriginRequestPolicy>& origin_request);

// Sets forwarding.strip_unkeyed_overrides: on a behavior that caches (and does not forward
// every header), X-Forwarded-Host and the like go to the origin only when a list names them.
void guard_unkeyed_overrides(const CachePolicy& cache, Forwarding& forwarding);

// The cache policy equivalent to legacy ForwardedValues + MinTTL/DefaultTTL/MaxTTL: the key is
// what is forwarded. Forwarding all headers disables caching, as in CloudFront.
CachePolicy legacy_cache_policy(const Forwarding& forwarding, Duration min_ttl,
                                Duration default_ttl, Duration max_ttl);

}  // namespace edgefront::config
