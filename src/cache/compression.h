// Whether the edge compresses a response it is about to store, as CloudFront does
// (cloudfront-spec.md 3.10): a pure decision, and the ETag a compressed variant carries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "http/compressor.h"
#include "http/message.h"

namespace edgefront::cache {

struct CompressionChoice {
  http::Coding coding = http::Coding::kIdentity;
  std::string_view reason;  // why not (kIdentity), for logs and tests
};

// `body_length`: the origin's Content-Length (or a file's size); nullopt when unknown.
// Only responses that will be stored are asked about: CloudFront compresses nothing it does
// not cache (TTL 0 means no compression).
CompressionChoice choose_compression(const config::CacheBehavior& behavior,
                                     const http::RequestHead& viewer,
                                     const http::ResponseHead& origin,
                                     std::optional<uint64_t> body_length);

// The ETag of a compressed variant: strong "x" becomes weak W/"x", a weak one stays, anything
// else (not a valid entity tag) is dropped.
std::optional<std::string> compressed_etag(std::string_view etag);

// True if CloudFront compresses this media type (parameters and case ignored).
bool compressible_type(std::string_view content_type);

}  // namespace edgefront::cache
