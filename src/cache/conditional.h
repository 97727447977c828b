// Viewer conditional requests against a stored response (RFC 9110 13.1, 13.2.2).
#pragma once

#include <string_view>

#include "http/message.h"
#include "http/packed_head.h"

namespace edgefront::cache {

enum class ConditionalResult { kNone, kNotModified, kPreconditionFailed };

// Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since in the order of
// RFC 9110 13.2.2. kNone: serve the stored response normally.
ConditionalResult evaluate_conditionals(const http::RequestHead& request,
                                        const http::PackedHead& stored);

// Entity-tag comparison (RFC 9110 8.8.3.2). Malformed tags never match.
bool etag_strong_match(std::string_view a, std::string_view b);
bool etag_weak_match(std::string_view a, std::string_view b);

}  // namespace edgefront::cache
