// Applies a behavior's response headers policy (cloudfront-spec.md 3.16) to a response head
// on its way to the viewer, whether it came from the cache, the origin or the edge itself.
#pragma once

#include <chrono>

#include "config/config.h"
#include "http/message.h"

namespace edgefront::proxy {

struct ServerTimingFacts {
  bool sampled = false;                     // this request fell in the sampling rate
  std::chrono::microseconds first_byte{0};  // request arrival to the head going out
};

// Remove first, then add (a header both removed and added is present); `override` replaces
// what the origin sent, otherwise the policy's value is only added where the origin sent none.
void apply_response_headers_policy(const config::ResponseHeadersPolicy& policy,
                                   const http::RequestHead& request, http::ResponseHead& head,
                                   const ServerTimingFacts& timing);

// True if `origin` (a request's Origin value) is one the CORS config allows.
bool cors_origin_allowed(const config::ResponseHeadersPolicy::Cors& cors, std::string_view origin);

}  // namespace edgefront::proxy
