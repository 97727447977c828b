#include "config/managed_policies.h"

#include <vector>

namespace edgefront::config {

namespace {

using Behavior = KeyValues::Behavior;
using HeaderBehavior = OriginRequestPolicy::HeaderBehavior;

KeyValues values(Behavior behavior, std::vector<std::string> names = {}) {
  return KeyValues{behavior, std::move(names)};
}

CachePolicy cache_policy(std::string name, std::string id, long min, long def, long max,
                         KeyValues headers, KeyValues cookies, KeyValues query_strings, bool gzip,
                         bool brotli) {
  CachePolicy p;
  p.name = std::move(name);
  p.id = std::move(id);
  p.min_ttl = std::chrono::seconds(min);
  p.default_ttl = std::chrono::seconds(def);
  p.max_ttl = std::chrono::seconds(max);
  p.headers = std::move(headers);
  p.cookies = std::move(cookies);
  p.query_strings = std::move(query_strings);
  p.accept_encoding_gzip = gzip;
  p.accept_encoding_brotli = brotli;
  return p;
}

// cloudfront-spec.md 3.15. The UseOriginCacheControlHeaders rows come from the spec's
// secondary source (marked there as not from AWS text).
const std::vector<CachePolicy>& cache_table() {
  static const std::vector<CachePolicy> table = [] {
    const std::vector<std::string> origin_override = {"Host", "Origin", "X-HTTP-Method-Override",
                                                      "X-HTTP-Method", "X-Method-Override"};
    return std::vector<CachePolicy>{
        cache_policy("CachingOptimized", "658327ea-f89d-4fab-a63d-7e88639e58f6", 1, 86400, 31536000,
                     values(Behavior::kNone), values(Behavior::kNone), values(Behavior::kNone),
                     true, true),
        cache_policy("CachingOptimizedForUncompressedObjects",
                     "b2884449-e4de-46a7-ac36-70bc7f1ddd6d", 1, 86400, 31536000,
                     values(Behavior::kNone), values(Behavior::kNone), values(Behavior::kNone),
                     false, false),
        cache_policy("CachingDisabled", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", 0, 0, 0,
                     values(Behavior::kNone), values(Behavior::kNone), values(Behavior::kNone),
                     false, false),
        cache_policy("Elemental-MediaPackage", "08627262-05a9-4f76-9ded-b50ca2e3a84f", 0, 86400,
                     31536000, values(Behavior::kWhitelist, {"Origin"}), values(Behavior::kNone),
                     values(Behavior::kWhitelist, {"aws.manifestfilter", "start", "end", "m"}),
                     true, false),
        cache_policy(
            "Amplify", "2e54312d-136d-493c-8eb9-b001f22f67d2", 2, 2, 600,
            values(Behavior::kWhitelist, {"Authorization", "CloudFront-Viewer-Country", "Host"}),
            values(Behavior::kAll), values(Behavior::kAll), true, true),
        cache_policy("UseOriginCacheControlHeaders", "83da9c7e-98b4-4e11-a168-04f0df8e2c65", 0, 0,
                     31536000, values(Behavior::kWhitelist, origin_override),
                     values(Behavior::kAll), values(Behavior::kNone), true, true),
        cache_policy("UseOriginCacheControlHeaders-QueryStrings",
                     "4cc15a8a-d715-48a4-82b8-cc0b614638fe", 0, 0, 31536000,
                     values(Behavior::kWhitelist, origin_override), values(Behavior::kAll),
                     values(Behavior::kAll), true, true),
    };
  }();
  return table;
}

OriginRequestPolicy origin_request_policy(std::string name, std::string id, HeaderBehavior headers,
                                          std::vector<std::string> header_names, KeyValues cookies,
                                          KeyValues query_strings) {
  OriginRequestPolicy p;
  p.name = std::move(name);
  p.id = std::move(id);
  p.header_behavior = headers;
  p.header_names = std::move(header_names);
  p.cookies = std::move(cookies);
  p.query_strings = std::move(query_strings);
  return p;
}

const std::vector<OriginRequestPolicy>& origin_request_table() {
  static const std::vector<OriginRequestPolicy> table = [] {
    // The 21 CloudFront-* headers released by June 2022 (spec 4.2).
    std::vector<std::string> cloudfront_headers = {"CloudFront-Forwarded-Proto",
                                                   "CloudFront-Is-Android-Viewer",
                                                   "CloudFront-Is-Desktop-Viewer",
                                                   "CloudFront-Is-IOS-Viewer",
                                                   "CloudFront-Is-Mobile-Viewer",
                                                   "CloudFront-Is-SmartTV-Viewer",
                                                   "CloudFront-Is-Tablet-Viewer",
                                                   "CloudFront-Viewer-Address",
                                                   "CloudFront-Viewer-ASN",
                                                   "CloudFront-Viewer-City",
                                                   "CloudFront-Viewer-Country",
                                                   "CloudFront-Viewer-Country-Name",
                                                   "CloudFront-Viewer-Country-Region",
                                                   "CloudFront-Viewer-Country-Region-Name",
                                                   "CloudFront-Viewer-Http-Version",
                                                   "CloudFront-Viewer-Latitude",
                                                   "CloudFront-Viewer-Longitude",
                                                   "CloudFront-Viewer-Metro-Code",
                                                   "CloudFront-Viewer-Postal-Code",
                                                   "CloudFront-Viewer-Time-Zone",
                                                   "CloudFront-Viewer-TLS"};
    std::vector<std::string> cors_s3 = {"Origin", "Access-Control-Request-Headers",
                                        "Access-Control-Request-Method"};
    std::vector<std::string> media_tailor = cors_s3;
    media_tailor.insert(media_tailor.end(), {"User-Agent", "X-Forwarded-For"});
    return std::vector<OriginRequestPolicy>{
        origin_request_policy("AllViewer", "216adef6-5c7f-47e4-b989-5492eafa07d3",
                              HeaderBehavior::kAllViewer, {}, values(Behavior::kAll),
                              values(Behavior::kAll)),
        origin_request_policy(
            "AllViewerAndCloudFrontHeaders-2022-06", "33f36d7e-f396-46d9-90e0-52428a34d9dc",
            HeaderBehavior::kAllViewerAndWhitelistCloudFront, std::move(cloudfront_headers),
            values(Behavior::kAll), values(Behavior::kAll)),
        origin_request_policy("AllViewerExceptHostHeader", "b689b0a8-53d0-40ab-baf2-68738e2966ac",
                              HeaderBehavior::kAllExcept, {"Host"}, values(Behavior::kAll),
                              values(Behavior::kAll)),
        origin_request_policy("CORS-CustomOrigin", "59781a5b-3903-41f3-afcb-af62929ccde1",
                              HeaderBehavior::kWhitelist, {"Origin"}, values(Behavior::kNone),
                              values(Behavior::kNone)),
        origin_request_policy("CORS-S3Origin", "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
                              HeaderBehavior::kWhitelist, cors_s3, values(Behavior::kNone),
                              values(Behavior::kNone)),
        origin_request_policy("Elemental-MediaTailor-PersonalizedManifests",
                              "775133bc-15f2-49f9-abea-afb2e0bf67d2", HeaderBehavior::kWhitelist,
                              std::move(media_tailor), values(Behavior::kNone),
                              values(Behavior::kAll)),
        origin_request_policy("UserAgentRefererHeaders", "acba4595-bd28-49b8-b9fe-13317c0390fa",
                              HeaderBehavior::kWhitelist, {"User-Agent", "Referer"},
                              values(Behavior::kNone), values(Behavior::kNone)),
    };
  }();
  return table;
}

}  // namespace

std::span<const CachePolicy> managed_cache_policies() { return cache_table(); }

std::span<const OriginRequestPolicy> managed_origin_request_policies() {
  return origin_request_table();
}

const CachePolicy* find_managed_cache_policy(std::string_view name_or_id) {
  for (const CachePolicy& p : cache_table()) {
    if (p.name == name_or_id || p.id == name_or_id) return &p;
  }
  return nullptr;
}

const OriginRequestPolicy* find_managed_origin_request_policy(std::string_view name_or_id) {
  for (const OriginRequestPolicy& p : origin_request_table()) {
    if (p.name == name_or_id || p.id == name_or_id) return &p;
  }
  return nullptr;
}

CachePolicy honour_origin_policy() {
  CachePolicy p;
  p.name = std::string(kHonourOriginName);
  p.id = std::string(kHonourOriginName);
  p.honour_origin = true;
  // RFC 9111 4: the key is the target URI; Vary supplies the secondary keys.
  p.query_strings.behavior = KeyValues::Behavior::kAll;
  return p;
}

}  // namespace edgefront::config
