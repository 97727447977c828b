#include "cache/compression.h"

#include <algorithm>
#include <array>

#include "base/strings.h"
#include "cache/cache_key.h"
#include "http/accept_encoding.h"

namespace edgefront::cache {

namespace {

constexpr uint64_t kMinBytes = 1'000;
constexpr uint64_t kMaxBytes = 10'000'000;

// CloudFront's list (2023), spec 3.10.
constexpr std::array<std::string_view, 46> kTypes = {
    "application/dash+xml",
    "application/eot",
    "application/font",
    "application/font-sfnt",
    "application/javascript",
    "application/json",
    "application/opentype",
    "application/otf",
    "application/pkcs7-mime",
    "application/protobuf",
    "application/rss+xml",
    "application/truetype",
    "application/ttf",
    "application/vnd.apple.mpegurl",
    "application/vnd.mapbox-vector-tile",
    "application/vnd.ms-fontobject",
    "application/xhtml+xml",
    "application/xml",
    "application/x-font-opentype",
    "application/x-font-truetype",
    "application/x-font-ttf",
    "application/x-httpd-cgi",
    "application/x-javascript",
    "application/x-mpegurl",
    "application/x-opentype",
    "application/x-otf",
    "application/x-perl",
    "application/x-ttf",
    "font/eot",
    "font/opentype",
    "font/otf",
    "font/ttf",
    "image/svg+xml",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/js",
    "text/plain",
    "text/richtext",
    "text/tab-separated-values",
    "text/xml",
    "text/x-component",
    "text/x-java-source",
    "text/x-script",
    "vnd.apple.mpegurl",
};

bool lists_accept_encoding(const config::KeyValues& headers) {
  if (headers.behavior != config::KeyValues::Behavior::kWhitelist) return false;
  return std::any_of(headers.names.begin(), headers.names.end(),
                     [](const std::string& n) { return iequals(n, "Accept-Encoding"); });
}

}  // namespace

bool compressible_type(std::string_view content_type) {
  std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  return std::any_of(kTypes.begin(), kTypes.end(),
                     [media](std::string_view t) { return iequals(t, media); });
}

CompressionChoice choose_compression(const config::CacheBehavior& behavior,
                                     const http::RequestHead& viewer,
                                     const http::ResponseHead& origin,
                                     std::optional<uint64_t> body_length) {
  const config::CachePolicy& policy = behavior.cache_policy;
  if (!behavior.compress) return {http::Coding::kIdentity, "compress-off"};
  if (!policy.accept_encoding_gzip && !policy.accept_encoding_brotli &&
      !policy.accept_encoding_zstd) {
    return {http::Coding::kIdentity, "policy-has-no-codings"};
  }
  if (policy.caching_disabled()) return {http::Coding::kIdentity, "ttl-zero"};
  if (lists_accept_encoding(policy.headers)) {
    return {http::Coding::kIdentity, "accept-encoding-in-key"};
  }
  // The same normalised value is in the cache key, so every viewer of this key gets the same
  // choice (HTTP/1.0 viewers normalise to nothing).
  std::string accepted = normalized_accept_encoding(policy, viewer);
  if (accepted.empty()) return {http::Coding::kIdentity, "viewer-accepts-none"};
  if (origin.headers.contains("Content-Encoding")) {
    return {http::Coding::kIdentity, "origin-encoded"};
  }
  if (origin.status != 200 && origin.status != 403 && origin.status != 404) {
    return {http::Coding::kIdentity, "status"};
  }
  if (!body_length) return {http::Coding::kIdentity, "no-content-length"};
  if (*body_length < kMinBytes || *body_length > kMaxBytes)
    return {http::Coding::kIdentity, "size"};
  std::optional<std::string_view> type = origin.headers.get("Content-Type");
  if (!type || !compressible_type(*type)) return {http::Coding::kIdentity, "content-type"};
  // Both accepted: brotli, as CloudFront; then zstd (faster than gzip at a better ratio).
  if (http::accepts_coding(accepted, "br")) return {http::Coding::kBrotli, {}};
  if (http::accepts_coding(accepted, "zstd")) return {http::Coding::kZstd, {}};
  return {http::Coding::kGzip, {}};
}

std::optional<std::string> compressed_etag(std::string_view etag) {
  etag = trim(etag);
  auto quoted = [](std::string_view t) {
    return t.size() >= 2 && t.front() == '"' && t.back() == '"';
  };
  if (etag.size() > 2 && etag.substr(0, 2) == "W/" && quoted(etag.substr(2))) {
    return std::string(etag);
  }
  if (quoted(etag)) return "W/" + std::string(etag);
  return std::nullopt;
}

}  // namespace edgefront::cache
