// Cache keys (cloudfront-spec.md 3.7, 3.10) and Vary secondary keys (RFC 9111 4.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "http/message.h"
#include "http/packed_head.h"

namespace edgefront::cache {

struct CacheKey {
  std::string primary;  // unambiguous text: every part is length-prefixed
  uint64_t hash = 0;    // XXH3_64bits(primary)
  bool operator==(const CacheKey&) const = default;
};

// The primary key: distribution + path (+ method for OPTIONS) + the query strings, headers
// and cookies the policy names + the normalised Accept-Encoding.
CacheKey build_cache_key(const config::CachePolicy& policy, std::string_view distribution_id,
                         const http::RequestHead& request);

// The Accept-Encoding value that goes into the key and to the origin: "br,gzip", "gzip",
// "br" or "" (spec 3.10). HTTP/1.0 requests always get "".
std::string normalized_accept_encoding(const config::CachePolicy& policy,
                                       const http::RequestHead& request);

// Vary (RFC 9111 4.1): the secondary key of a request for a stored response's Vary, or nullopt
// for `Vary: *` (never matches). Empty when the response has no Vary.
std::optional<std::string> vary_secondary_key(const http::HeaderList& response_headers,
                                              const http::RequestHead& request);
// The same for a stored head (every hit on a key looks its variants up this way).
std::optional<std::string> vary_secondary_key(const http::PackedHead& stored,
                                              const http::RequestHead& request);

}  // namespace edgefront::cache
