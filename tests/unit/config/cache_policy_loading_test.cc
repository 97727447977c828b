// Cache settings in both config formats: CachePolicyId / OriginRequestPolicyId and legacy
// ForwardedValues + TTLs in CloudFront JSON; cache_policies, origin_request_policies,
// cache_policy, origin_request_policy and server.cache in native YAML. Good and bad files.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/loader.h"

namespace edgefront::config {
namespace {

using std::chrono::seconds;
using Behavior = KeyValues::Behavior;

const std::string kExamples = EDGEFRONT_SOURCE_DIR "/examples";

// ---------------------------------------------------------------- CloudFront JSON

std::string cf_behavior(const std::string& fields) {
  return R"({"CallerReference": "r", "Comment": "", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "a", "DomainName": "a.example",
    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all", )" +
         fields + "}}";
}

const std::string kForwardNone =
    R"("ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}})";

LoadResult load_json(const std::string& text) { return load_config_text(text, "test.json"); }

const CacheBehavior& default_behavior(const LoadResult& r) {
  return r.config.distributions.at(0).default_behavior;
}

TEST(CloudFrontCachePolicies, ManagedPolicyById) {
  LoadResult r = load_json(cf_behavior(
      R"("CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
         "OriginRequestPolicyId": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf")"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const CacheBehavior& b = default_behavior(r);
  EXPECT_EQ(b.cache_policy.name, "CachingOptimized");
  ASSERT_TRUE(b.origin_request_policy);
  EXPECT_EQ(b.origin_request_policy->name, "CORS-S3Origin");
  // Sent to the origin: nothing from the key, the three CORS headers from the ORP.
  EXPECT_FALSE(b.forwarding.query_string);
  EXPECT_EQ(b.forwarding.cookies, Forwarding::Cookies::kNone);
  EXPECT_EQ(b.forwarding.headers, Forwarding::Headers::kWhitelist);
  EXPECT_EQ(b.forwarding.header_names.size(), 3u);
}

TEST(CloudFrontCachePolicies, CachingDisabled) {
  LoadResult r =
      load_json(cf_behavior(R"("CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad")"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(default_behavior(r).cache_policy.caching_disabled());
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
}

struct JsonErrorCase {
  const char* name;
  std::string fields;
  std::string error;
};

class CloudFrontCachePolicyErrors : public ::testing::TestWithParam<JsonErrorCase> {};

TEST_P(CloudFrontCachePolicyErrors, ExactError) {
  LoadResult r = load_json(cf_behavior(GetParam().fields));
  EXPECT_EQ(r.problems.errors, std::vector<std::string>{GetParam().error});
}

const std::string kPath = "DistributionConfig.DefaultCacheBehavior.";

INSTANTIATE_TEST_SUITE_P(
    Table, CloudFrontCachePolicyErrors,
    ::testing::Values(
        JsonErrorCase{"unknown_cache_policy", R"("CachePolicyId": "my-policy")",
                      kPath + "CachePolicyId: unknown managed cache policy id \"my-policy\"; "
                              "custom cache policies must be defined in native YAML "
                              "(cache_policies)"},
        JsonErrorCase{"unknown_origin_request_policy",
                      R"("CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                         "OriginRequestPolicyId": "x")",
                      kPath + "OriginRequestPolicyId: unknown managed origin request policy id "
                              "\"x\"; custom origin request policies must be defined in native "
                              "YAML (origin_request_policies)"},
        JsonErrorCase{
            "orp_without_cache_policy",
            kForwardNone + R"(, "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3")",
            kPath + "OriginRequestPolicyId: requires CachePolicyId on the same behavior"},
        JsonErrorCase{"forwarded_values_with_policy",
                      kForwardNone + R"(, "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6")",
                      kPath + "ForwardedValues: not allowed together with CachePolicyId"},
        JsonErrorCase{"ttl_with_policy",
                      R"("CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "MinTTL": 5)",
                      kPath + "MinTTL: not allowed together with CachePolicyId (the policy has "
                              "its own TTLs)"},
        JsonErrorCase{"default_below_min", kForwardNone + R"(, "MinTTL": 100, "DefaultTTL": 50)",
                      kPath + "DefaultTTL: must be at least MinTTL"},
        JsonErrorCase{"max_below_default", kForwardNone + R"(, "DefaultTTL": 50, "MaxTTL": 10)",
                      kPath + "MaxTTL: must be at least DefaultTTL and MinTTL"},
        JsonErrorCase{"default_above_default_max", kForwardNone + R"(, "MaxTTL": 100)",
                      kPath + "MaxTTL: must be at least DefaultTTL and MinTTL"},
        JsonErrorCase{"ttl_out_of_range", kForwardNone + R"(, "MaxTTL": 3153600001)",
                      kPath + "MaxTTL: expected integer 0-3153600000"},
        JsonErrorCase{"negative_ttl", kForwardNone + R"(, "MinTTL": -1)",
                      kPath + "MinTTL: expected integer 0-3153600000"}),
    [](const auto& info) { return std::string(info.param.name); });

struct LegacyTtlCase {
  std::string ttls;
  long min, def, max;
};

TEST(CloudFrontCachePolicies, LegacyTtlDefaults) {
  for (const LegacyTtlCase& c : std::initializer_list<LegacyTtlCase>{
           {"", 0, 86400, 31536000},
           {R"(, "MinTTL": 0, "DefaultTTL": 3600, "MaxTTL": 7200)", 0, 3600, 7200},
           {R"(, "MinTTL": 100000)", 100000, 100000, 31536000},
           {R"(, "MinTTL": 40000000)", 40000000, 40000000, 40000000},
           {R"(, "DefaultTTL": 40000000)", 0, 40000000, 40000000},
           {R"(, "MinTTL": 10)", 10, 86400, 31536000},
       }) {
    LoadResult r = load_json(cf_behavior(kForwardNone + c.ttls));
    ASSERT_TRUE(r.ok()) << c.ttls << ::testing::PrintToString(r.problems.errors);
    const CachePolicy& p = default_behavior(r).cache_policy;
    EXPECT_EQ(p.min_ttl, seconds(c.min)) << c.ttls;
    EXPECT_EQ(p.default_ttl, seconds(c.def)) << c.ttls;
    EXPECT_EQ(p.max_ttl, seconds(c.max)) << c.ttls;
  }
}

TEST(CloudFrontCachePolicies, QueryStringCacheKeysKeyOnlyThoseButForwardAll) {
  LoadResult r = load_json(cf_behavior(
      R"("ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "none"},
         "QueryStringCacheKeys": {"Quantity": 2, "Items": ["v", "lang"]}})"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const CacheBehavior& b = default_behavior(r);
  EXPECT_EQ(b.cache_policy.query_strings.behavior, Behavior::kWhitelist);
  EXPECT_EQ(b.cache_policy.query_strings.names, (std::vector<std::string>{"v", "lang"}));
  EXPECT_TRUE(b.forwarding.query_string);
  EXPECT_TRUE(b.forwarding.query_string_names.empty());
}

TEST(CloudFrontCachePolicies, CompressIsReadAndKeysEncodings) {
  LoadResult r = load_json(cf_behavior(kForwardNone + R"(, "Compress": true)"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(default_behavior(r).compress);
  EXPECT_TRUE(default_behavior(r).cache_policy.accept_encoding_gzip);
  EXPECT_TRUE(default_behavior(r).cache_policy.accept_encoding_brotli);
  EXPECT_EQ(default_behavior(r).forwarding.accept_encoding, Forwarding::AcceptEncoding::kNormalize);
  LoadResult off = load_json(cf_behavior(kForwardNone));
  EXPECT_EQ(default_behavior(off).forwarding.accept_encoding,
            Forwarding::AcceptEncoding::kPassThrough);
}

TEST(CloudFrontCachePolicies, ErrorCachingMinTtlIsRead) {
  std::string text = cf_behavior(kForwardNone);
  text.insert(text.size() - 1, R"(, "CustomErrorResponses": {"Quantity": 1, "Items": [
      {"ErrorCode": 503, "ErrorCachingMinTTL": 3}]})");
  LoadResult r = load_json(text);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(r.config.distributions[0].custom_error_responses.at(0).error_caching_min_ttl,
            seconds(3));
}

// ---------------------------------------------------------------- native YAML

LoadResult load_yaml(const std::string& text) {
  return load_config_text(text, kExamples + "/inline.yaml");
}

std::string yaml(const std::string& top, const std::string& behavior,
                 const std::string& server = "") {
  return "server: {admin: 'off'" + server + "}\n" + top + R"(
distribution:
  origins: [{id: app, domain_name: 127.0.0.1}]
  default_cache_behavior:
    target_origin_id: app
)" + behavior;
}

TEST(NativeCachePolicies, UserPolicyByNameAndId) {
  const std::string top = R"(cache_policies:
  - name: assets
    id: 1234-abcd
    min_ttl: 1s
    default_ttl: 1h
    max_ttl: 2h
    query_strings: {all_except: [utm_source]}
    headers: {whitelist: [Origin]}
    cookies: {whitelist: [session]}
    accept_encoding_gzip: true
    comment: long-lived files
)";
  for (const char* ref : {"assets", "1234-abcd"}) {
    LoadResult r = load_yaml(yaml(top, std::string("    cache_policy: ") + ref + "\n"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
    const CacheBehavior& b = default_behavior(r);
    EXPECT_EQ(b.cache_policy.name, "assets");
    EXPECT_EQ(b.cache_policy.id, "1234-abcd");
    EXPECT_EQ(b.cache_policy.min_ttl, seconds(1));
    EXPECT_EQ(b.cache_policy.default_ttl, seconds(3600));
    EXPECT_EQ(b.cache_policy.max_ttl, seconds(7200));
    EXPECT_EQ(b.cache_policy.query_strings.behavior, Behavior::kAllExcept);
    EXPECT_EQ(b.cache_policy.headers.names, (std::vector<std::string>{"Origin"}));
    EXPECT_TRUE(b.cache_policy.accept_encoding_gzip);
    EXPECT_FALSE(b.cache_policy.accept_encoding_brotli);
    EXPECT_TRUE(b.forwarding.query_string_except);
    EXPECT_EQ(b.forwarding.cookies, Forwarding::Cookies::kWhitelist);
  }
}

TEST(NativeCachePolicies, ManagedByNameOrIdAndHonourOrigin) {
  for (const char* ref : {"CachingOptimized", "658327ea-f89d-4fab-a63d-7e88639e58f6"}) {
    LoadResult r = load_yaml(yaml("", std::string("    cache_policy: ") + ref + "\n"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
    EXPECT_EQ(default_behavior(r).cache_policy.name, "CachingOptimized");
  }
  LoadResult h = load_yaml(yaml("", "    cache_policy: honour-origin\n"));
  ASSERT_TRUE(h.ok()) << ::testing::PrintToString(h.problems.errors);
  EXPECT_TRUE(default_behavior(h).cache_policy.honour_origin);
  EXPECT_EQ(default_behavior(h).forwarding.headers, Forwarding::Headers::kAll);
}

TEST(NativeCachePolicies, UserOriginRequestPolicy) {
  const std::string top = R"(origin_request_policies:
  - name: fwd
    headers: {all_except: [Host]}
    cookies: all
    query_strings: none
)";
  LoadResult r =
      load_yaml(yaml(top, "    cache_policy: CachingOptimized\n    origin_request_policy: fwd\n"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const CacheBehavior& b = default_behavior(r);
  ASSERT_TRUE(b.origin_request_policy);
  EXPECT_EQ(b.origin_request_policy->header_behavior,
            OriginRequestPolicy::HeaderBehavior::kAllExcept);
  EXPECT_EQ(b.forwarding.headers, Forwarding::Headers::kAll);
  EXPECT_EQ(b.forwarding.header_except_names, (std::vector<std::string>{"Host"}));
  EXPECT_EQ(b.forwarding.cookies, Forwarding::Cookies::kAll);
}

TEST(NativeCachePolicies, NoPolicyIsLegacy) {
  LoadResult r = load_yaml(yaml("", ""));
  ASSERT_TRUE(r.ok());
  // Default forwarding sends every header: nothing is cached, as in CloudFront.
  EXPECT_TRUE(default_behavior(r).cache_policy.caching_disabled());
  LoadResult w = load_yaml(yaml("", "    forwarding: {headers: default, cookies: none}\n"));
  ASSERT_TRUE(w.ok()) << ::testing::PrintToString(w.problems.errors);
  const CachePolicy& p = default_behavior(w).cache_policy;
  EXPECT_FALSE(p.caching_disabled());
  EXPECT_EQ(p.default_ttl, seconds(86400));
  EXPECT_EQ(p.query_strings.behavior, Behavior::kAll);
  EXPECT_EQ(p.cookies.behavior, Behavior::kNone);
}

// Legacy "*" is every header, as in CloudFront JSON: nothing cached, not a header named "*"
// keyed while every header goes to the origin outside the key.
TEST(NativeCachePolicies, LegacyStarHeaderForwardsAllAndCachesNothing) {
  LoadResult r = load_yaml(
      yaml("", "    forwarding: {headers: whitelist, header_names: ['*'], cookies: none}\n"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(default_behavior(r).forwarding.headers, Forwarding::Headers::kAll);
  EXPECT_TRUE(default_behavior(r).cache_policy.caching_disabled());
  LoadResult bad = load_yaml(
      yaml("", "    forwarding: {headers: whitelist, header_names: ['*', Host], cookies: none}\n"));
  EXPECT_EQ(bad.problems.errors,
            std::vector<std::string>{"distribution.default_cache_behavior.forwarding.header_names: "
                                     "\"*\" must be the only item"});
}

TEST(NativeCachePolicies, ServerCache) {
  LoadResult r = load_yaml(yaml("", "", ", cache: {memory: 64MiB, serve_stale_after: 2s}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(r.config.server.cache.memory_bytes, 64ull << 20);
  EXPECT_EQ(r.config.server.cache.serve_stale_after, seconds(2));
  LoadResult d = load_yaml(yaml("", ""));
  EXPECT_EQ(d.config.server.cache.memory_bytes, 256ull << 20);
  EXPECT_EQ(d.config.server.cache.serve_stale_after, seconds(0));
  EXPECT_TRUE(d.config.server.cache.disk_path.empty()) << "no disk tier unless configured";
}

TEST(NativeCachePolicies, ServerCacheDisk) {
  LoadResult r =
      load_yaml(yaml("", "", ", cache: {memory: 64MiB, disk: {path: /var/cache/ef, size: 10GiB}}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(r.config.server.cache.disk_path, "/var/cache/ef");
  EXPECT_EQ(r.config.server.cache.disk_bytes, 10ull << 30);
}

TEST(NativeCachePolicies, CompressAndZstd) {
  const std::string top = R"(cache_policies:
  - {name: text, accept_encoding_gzip: true, accept_encoding_zstd: true}
)";
  LoadResult r = load_yaml(yaml(top, "    cache_policy: text\n    compress: true\n"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const CacheBehavior& b = default_behavior(r);
  EXPECT_TRUE(b.compress);
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
  EXPECT_TRUE(b.cache_policy.accept_encoding_zstd);
  // The origin gets the same normalised value the key holds, zstd included.
  EXPECT_EQ(b.forwarding.accept_encoding, Forwarding::AcceptEncoding::kNormalize);
  EXPECT_TRUE(b.forwarding.accept_encoding_zstd);
  EXPECT_FALSE(b.forwarding.accept_encoding_brotli);
}

TEST(NativeCachePolicies, HonourOriginExampleValidates) {
  LoadResult r = load_config_file(kExamples + "/honour-origin.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
  ASSERT_EQ(r.config.server.listen.size(), 1u);
  EXPECT_EQ(r.config.server.listen[0].host, "127.0.0.1");
  EXPECT_EQ(r.config.server.listen[0].port, 8080);
  ASSERT_EQ(r.config.distributions.size(), 1u);
  const Distribution& d = r.config.distributions[0];
  ASSERT_EQ(d.origins.size(), 1u);
  EXPECT_EQ(d.origins[0].domain_name, "127.0.0.1");
  EXPECT_EQ(d.origins[0].http_port, 18000);
  EXPECT_EQ(d.origins[0].protocol_policy, OriginProtocolPolicy::kHttpOnly);
  EXPECT_EQ(d.default_behavior.allowed_methods, http::MethodSet::all_seven());
  EXPECT_EQ(d.default_behavior.cached_methods, http::MethodSet::get_head());
  EXPECT_TRUE(d.default_behavior.cache_policy.honour_origin);
  EXPECT_TRUE(d.behaviors.empty());
}

struct YamlErrorCase {
  const char* name;
  std::string top;
  std::string behavior;
  std::string error;
  std::string server = "";
};

class NativeCachePolicyErrors : public ::testing::TestWithParam<YamlErrorCase> {};

TEST_P(NativeCachePolicyErrors, ExactError) {
  const YamlErrorCase& c = GetParam();
  LoadResult r = load_yaml(yaml(c.top, c.behavior, c.server));
  EXPECT_EQ(r.problems.errors, std::vector<std::string>{c.error});
}

const std::string kB = "distribution.default_cache_behavior.";

INSTANTIATE_TEST_SUITE_P(
    Table, NativeCachePolicyErrors,
    ::testing::Values(
        YamlErrorCase{"unknown_policy", "", "    cache_policy: nope\n",
                      kB + "cache_policy: unknown cache policy \"nope\"; expected a managed "
                           "policy name or id, honour-origin, or a name from cache_policies"},
        YamlErrorCase{"unknown_orp", "",
                      "    cache_policy: CachingOptimized\n    origin_request_policy: nope\n",
                      kB + "origin_request_policy: unknown origin request policy \"nope\"; "
                           "expected a managed policy name or id, or a name from "
                           "origin_request_policies"},
        YamlErrorCase{"orp_without_policy", "", "    origin_request_policy: AllViewer\n",
                      kB + "origin_request_policy: requires cache_policy"},
        YamlErrorCase{"orp_with_honour_origin", "",
                      "    cache_policy: honour-origin\n    origin_request_policy: AllViewer\n",
                      kB + "origin_request_policy: not allowed with cache_policy: honour-origin "
                           "(the whole request is sent)"},
        YamlErrorCase{"forwarding_with_policy", "",
                      "    cache_policy: CachingOptimized\n    forwarding: {cookies: none}\n",
                      kB + "forwarding: not allowed with cache_policy; use "
                           "origin_request_policy to send more to the origin"},
        YamlErrorCase{"managed_name_taken", "cache_policies: [{name: CachingDisabled}]\n", "",
                      "cache_policies[0].name: \"CachingDisabled\" is the name or id of a "
                      "managed policy"},
        YamlErrorCase{"honour_origin_name_taken", "cache_policies: [{name: honour-origin}]\n", "",
                      "cache_policies[0].name: \"honour-origin\" is the name or id of a managed "
                      "policy"},
        YamlErrorCase{"duplicate_name", "cache_policies: [{name: a}, {name: a}]\n", "",
                      "cache_policies[1].name: duplicate name \"a\""},
        YamlErrorCase{"duplicate_id", "cache_policies: [{name: a}, {name: b, id: a}]\n", "",
                      "cache_policies[1].id: duplicate id \"a\""},
        YamlErrorCase{"name_required", "cache_policies: [{min_ttl: 1s}]\n", "",
                      "cache_policies[0].name: required"},
        YamlErrorCase{"ttl_order", "cache_policies: [{name: a, min_ttl: 2h, default_ttl: 1h}]\n",
                      "", "cache_policies[0].default_ttl: must be at least min_ttl"},
        YamlErrorCase{"max_below_default",
                      "cache_policies: [{name: a, default_ttl: 2h, max_ttl: 1h}]\n", "",
                      "cache_policies[0].max_ttl: must be at least default_ttl and min_ttl"},
        YamlErrorCase{"bad_ttl", "cache_policies: [{name: a, max_ttl: forever}]\n", "",
                      "cache_policies[0].max_ttl: expected duration 0s-876000h"},
        YamlErrorCase{"headers_all", "cache_policies: [{name: a, headers: all}]\n", "",
                      "cache_policies[0].headers: expected none or {whitelist: [...]}"},
        YamlErrorCase{"headers_all_except",
                      "cache_policies: [{name: a, headers: {all_except: [X]}}]\n", "",
                      "cache_policies[0].headers.all_except: expected none or {whitelist: "
                      "[...]}"},
        YamlErrorCase{"bad_behavior", "cache_policies: [{name: a, cookies: some}]\n", "",
                      "cache_policies[0].cookies: expected none, all, {whitelist: [...]} or "
                      "{all_except: [...]}"},
        YamlErrorCase{"empty_whitelist",
                      "cache_policies: [{name: a, query_strings: {whitelist: []}}]\n", "",
                      "cache_policies[0].query_strings.whitelist: at least one name required"},
        YamlErrorCase{"duplicate_header",
                      "cache_policies: [{name: a, headers: {whitelist: [Origin, origin]}}]\n", "",
                      "cache_policies[0].headers.whitelist[1]: duplicate name \"origin\""},
        YamlErrorCase{"bad_header_name",
                      "cache_policies: [{name: a, headers: {whitelist: [\"a b\"]}}]\n", "",
                      "cache_policies[0].headers.whitelist[0]: expected an HTTP header name"},
        YamlErrorCase{"viewer_address_in_key",
                      "cache_policies: [{name: a, headers: {whitelist: "
                      "[CloudFront-Viewer-Address]}}]\n",
                      "",
                      "cache_policies[0].headers.whitelist: CloudFront-Viewer-Address can be "
                      "sent with an origin request policy but cannot be in a cache key"},
        YamlErrorCase{"unknown_field", "cache_policies: [{name: a, ttl: 5}]\n", "",
                      "cache_policies[0].ttl: unknown field"},
        YamlErrorCase{"orp_authorization",
                      "origin_request_policies: [{name: o, headers: {whitelist: "
                      "[Authorization]}}]\n",
                      "",
                      "origin_request_policies[0].headers.whitelist: Authorization cannot be "
                      "listed in an origin request policy; put it in the cache key or use "
                      "all_viewer (spec 3.8)"},
        YamlErrorCase{"orp_bad_headers", "origin_request_policies: [{name: o, headers: all}]\n", "",
                      "origin_request_policies[0].headers: expected none, all_viewer, "
                      "{whitelist: [...]}, {all_except: [...]} or "
                      "{all_viewer_and_whitelist_cloudfront: [...]}"},
        YamlErrorCase{"orp_cloudfront_only",
                      "origin_request_policies: [{name: o, headers: "
                      "{all_viewer_and_whitelist_cloudfront: [X-Foo]}}]\n",
                      "",
                      "origin_request_policies[0].headers.all_viewer_and_whitelist_cloudfront: "
                      "only CloudFront-* headers may be listed here, not X-Foo"},
        YamlErrorCase{"memory_units", "", "",
                      "server.cache.memory: expected 0 (no cache) or a size of at least 1MiB, "
                      "e.g. 256MiB (units B, KiB, MiB, GiB, TiB)",
                      ", cache: {memory: 256MB}"},
        YamlErrorCase{"memory_too_small", "", "",
                      "server.cache.memory: expected 0 (no cache) or a size of at least 1MiB, "
                      "e.g. 256MiB (units B, KiB, MiB, GiB, TiB)",
                      ", cache: {memory: 1KiB}"},
        YamlErrorCase{"disk_size_units", "", "",
                      "server.cache.disk.size: expected a size of at least 1MiB, e.g. 10GiB "
                      "(units B, KiB, MiB, GiB, TiB)",
                      ", cache: {disk: {path: /tmp/d, size: lots}}"},
        YamlErrorCase{"disk_size_required", "", "", "server.cache.disk.size: required",
                      ", cache: {disk: {path: /tmp/d}}"},
        YamlErrorCase{"disk_path_required", "", "", "server.cache.disk.path: required",
                      ", cache: {disk: {size: 1GiB}}"},
        YamlErrorCase{"serve_stale_after_range", "", "",
                      "server.cache.serve_stale_after: expected duration 0s-10m",
                      ", cache: {serve_stale_after: 1h}"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace edgefront::config
