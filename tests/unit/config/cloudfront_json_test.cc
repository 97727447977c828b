// CloudFront DistributionConfig JSON: good files, the seed-derived examples, and a table of bad
// inputs with the exact error each produces.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/loader.h"

namespace edgefront::config {
namespace {

const std::string kOrigin0 = R"({"Id": "a", "DomainName": "a.example",
  "CustomOriginConfig": {"HTTPPort": 8001, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})";
const std::string kOrigin1 = R"({"Id": "b", "DomainName": "b.example",
  "CustomOriginConfig": {"HTTPPort": 8002, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})";
const std::string kBehavior = R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
  "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}})";

// A valid bare DistributionConfig; each argument replaces one part. `extra` is more top-level
// members, each starting with a comma.
std::string cf(const std::string& origin1 = kOrigin1, const std::string& behavior = kBehavior,
               const std::string& extra = "") {
  return R"({"CallerReference": "ref-1", "Comment": "", "Enabled": true,
  "Origins": {"Quantity": 2, "Items": [)" +
         kOrigin0 + ", " + origin1 + R"(]},
  "DefaultCacheBehavior": )" +
         behavior + extra + "}";
}

LoadResult load(const std::string& text) { return load_config_text(text, "test.json"); }

std::vector<std::string> errors_of(const std::string& text) { return load(text).problems.errors; }

TEST(CloudFrontJsonTest, MinimalBareConfig) {
  LoadResult r = load(cf());
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
  ASSERT_EQ(r.config.distributions.size(), 1u);
  const Distribution& d = r.config.distributions[0];
  EXPECT_EQ(d.id, "default");
  EXPECT_TRUE(d.enabled);
  ASSERT_EQ(d.origins.size(), 2u);
  EXPECT_EQ(d.origins[0].id, "a");
  EXPECT_EQ(d.origins[0].domain_name, "a.example");
  EXPECT_EQ(d.origins[0].http_port, 8001);
  EXPECT_EQ(d.origins[0].https_port, 443);
  EXPECT_EQ(d.origins[0].protocol_policy, OriginProtocolPolicy::kHttpOnly);
  EXPECT_EQ(d.origins[0].connection_attempts, 3);
  EXPECT_EQ(d.origins[0].connection_timeout, 10s);
  EXPECT_EQ(d.origins[0].read_timeout, 30s);
  EXPECT_EQ(d.origins[0].keepalive_timeout, 5s);
  EXPECT_FALSE(d.origins[0].is_directory());
  EXPECT_EQ(d.default_behavior.path_pattern, "*");
  EXPECT_EQ(d.default_behavior.target_origin_id, "a");
  EXPECT_EQ(d.default_behavior.allowed_methods, http::MethodSet::get_head());
  EXPECT_FALSE(d.default_behavior.forwarding.query_string);
  EXPECT_EQ(d.default_behavior.forwarding.cookies, Forwarding::Cookies::kNone);
  EXPECT_EQ(d.default_behavior.forwarding.headers, Forwarding::Headers::kDefault);
  // Server settings are edgefront's defaults.
  ASSERT_EQ(r.config.server.listen.size(), 1u);
  EXPECT_EQ(r.config.server.listen[0].port, 8080);
  EXPECT_EQ(r.config.source, "test.json");
}

TEST(CloudFrontJsonTest, FullConfigMapsEveryField) {
  const std::string text = R"({
  "CallerReference": "2024-01-01", "Comment": "full", "Enabled": false,
  "Aliases": {"Quantity": 2, "Items": ["WWW.Example.com", "*.example.org"]},
  "DefaultRootObject": "index.html",
  "Origins": {"Quantity": 2, "Items": [
    {"Id": "web", "DomainName": "Origin.Example.com", "OriginPath": "/prod",
     "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Secret", "HeaderValue": "s3"}]},
     "CustomOriginConfig": {"HTTPPort": 8080, "HTTPSPort": 8443, "OriginProtocolPolicy": "match-viewer",
       "OriginSslProtocols": {"Quantity": 2, "Items": ["TLSv1.1", "TLSv1.2"]},
       "OriginReadTimeout": 60, "OriginKeepaliveTimeout": 10},
     "ConnectionAttempts": 2, "ConnectionTimeout": 4},
    {"Id": "spare", "DomainName": "spare.example.com",
     "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
       "ConnectionAttempts": 1, "ConnectionTimeout": 7}}]},
  "OriginGroups": {"Quantity": 1, "Items": [
    {"Id": "grp", "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [502, 503]}},
     "Members": {"Quantity": 2, "Items": [{"OriginId": "web"}, {"OriginId": "spare"}]},
     "SelectionCriteria": "default"}]},
  "DefaultCacheBehavior": {"TargetOriginId": "grp", "ViewerProtocolPolicy": "redirect-to-https",
    "AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"],
      "CachedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]}},
    "ForwardedValues": {"QueryString": true,
      "Cookies": {"Forward": "whitelist", "WhitelistedNames": {"Quantity": 1, "Items": ["sid"]}},
      "Headers": {"Quantity": 1, "Items": ["*"]}}},
  "CacheBehaviors": {"Quantity": 1, "Items": [
    {"PathPattern": "/api/*", "TargetOriginId": "web", "ViewerProtocolPolicy": "https-only",
     "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]},
     "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "all"},
       "Headers": {"Quantity": 2, "Items": ["Authorization", "Accept"]}}}]},
  "CustomErrorResponses": {"Quantity": 2, "Items": [
    {"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "200", "ErrorCachingMinTTL": 60},
    {"ErrorCode": 503, "ResponsePagePath": "", "ResponseCode": "", "ErrorCachingMinTTL": 0}]}
})";
  LoadResult r = load(text);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
  const Distribution& d = r.config.distributions[0];
  EXPECT_FALSE(d.enabled);
  EXPECT_EQ(d.aliases, (std::vector<std::string>{"www.example.com", "*.example.org"}));
  EXPECT_EQ(d.default_root_object, "index.html");

  const Origin& web = d.origins[0];
  EXPECT_EQ(web.domain_name, "origin.example.com");
  EXPECT_EQ(web.origin_path, "/prod");
  ASSERT_EQ(web.custom_headers.size(), 1u);
  EXPECT_EQ(web.custom_headers[0].name, "X-Secret");
  EXPECT_EQ(web.custom_headers[0].value, "s3");
  EXPECT_EQ(web.http_port, 8080);
  EXPECT_EQ(web.https_port, 8443);
  EXPECT_EQ(web.protocol_policy, OriginProtocolPolicy::kMatchViewer);
  EXPECT_EQ(web.ssl_protocols, (std::vector<std::string>{"TLSv1.1", "TLSv1.2"}));
  EXPECT_EQ(web.read_timeout, 60s);
  EXPECT_EQ(web.keepalive_timeout, 10s);
  EXPECT_EQ(web.connection_attempts, 2);
  EXPECT_EQ(web.connection_timeout, 4s);
  // Inside CustomOriginConfig is accepted too.
  EXPECT_EQ(d.origins[1].connection_attempts, 1);
  EXPECT_EQ(d.origins[1].connection_timeout, 7s);
  EXPECT_EQ(d.origins[1].protocol_policy, OriginProtocolPolicy::kHttpsOnly);

  ASSERT_EQ(d.origin_groups.size(), 1u);
  EXPECT_EQ(d.origin_groups[0].id, "grp");
  EXPECT_EQ(d.origin_groups[0].failover_status_codes, (std::vector<int>{502, 503}));
  EXPECT_EQ(d.origin_groups[0].member_origin_ids, (std::vector<std::string>{"web", "spare"}));

  const CacheBehavior& def = d.default_behavior;
  EXPECT_EQ(def.target_origin_id, "grp");
  EXPECT_EQ(def.viewer_protocol_policy, ViewerProtocolPolicy::kRedirectToHttps);
  EXPECT_EQ(def.allowed_methods, http::MethodSet::get_head_options());
  EXPECT_EQ(def.cached_methods, http::MethodSet::get_head_options());
  EXPECT_TRUE(def.forwarding.query_string);
  EXPECT_EQ(def.forwarding.cookies, Forwarding::Cookies::kWhitelist);
  EXPECT_EQ(def.forwarding.cookie_names, (std::vector<std::string>{"sid"}));
  EXPECT_EQ(def.forwarding.headers, Forwarding::Headers::kAll);

  ASSERT_EQ(d.behaviors.size(), 1u);
  const CacheBehavior& api = d.behaviors[0];
  EXPECT_EQ(api.path_pattern, "/api/*");
  EXPECT_EQ(api.viewer_protocol_policy, ViewerProtocolPolicy::kHttpsOnly);
  EXPECT_EQ(api.allowed_methods, http::MethodSet::all_seven());
  EXPECT_EQ(api.cached_methods, http::MethodSet::get_head());
  EXPECT_EQ(api.forwarding.cookies, Forwarding::Cookies::kAll);
  EXPECT_EQ(api.forwarding.headers, Forwarding::Headers::kWhitelist);
  EXPECT_EQ(api.forwarding.header_names, (std::vector<std::string>{"Authorization", "Accept"}));

  ASSERT_EQ(d.custom_error_responses.size(), 2u);
  EXPECT_EQ(d.custom_error_responses[0].error_code, 404);
  EXPECT_EQ(d.custom_error_responses[0].response_page_path, "/404.html");
  EXPECT_EQ(d.custom_error_responses[0].response_code, 200);
  EXPECT_EQ(d.custom_error_responses[0].error_caching_min_ttl, 60s);
  EXPECT_EQ(d.custom_error_responses[1].error_code, 503);
  EXPECT_EQ(d.custom_error_responses[1].response_page_path, "");
  EXPECT_EQ(d.custom_error_responses[1].response_code, 0);
  EXPECT_EQ(d.custom_error_responses[1].error_caching_min_ttl, 0s);
}

void expect_seed_distribution(const LoadResult& r) {
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  ASSERT_EQ(r.config.distributions.size(), 1u);
  const Distribution& d = r.config.distributions[0];
  ASSERT_EQ(d.origins.size(), 2u);
  EXPECT_EQ(d.origins[0].id, "primary-alb");
  EXPECT_EQ(d.origins[0].domain_name, "127.0.0.1");
  EXPECT_EQ(d.origins[0].http_port, 18001);
  EXPECT_EQ(d.origins[1].http_port, 18002);
  EXPECT_EQ(d.origins[1].protocol_policy, OriginProtocolPolicy::kHttpsOnly);
  EXPECT_EQ(d.origins[1].read_timeout, 30s);
  ASSERT_EQ(d.origin_groups.size(), 1u);
  EXPECT_EQ(d.origin_groups[0].failover_status_codes, (std::vector<int>{500, 502, 503, 504}));
  EXPECT_EQ(d.origin_groups[0].member_origin_ids,
            (std::vector<std::string>{"primary-alb", "secondary-alb"}));
  EXPECT_EQ(d.default_behavior.target_origin_id, "failover-group");
  EXPECT_EQ(d.default_behavior.viewer_protocol_policy, ViewerProtocolPolicy::kRedirectToHttps);
  EXPECT_EQ(d.default_behavior.allowed_methods, http::MethodSet::all_seven());
  EXPECT_EQ(d.default_behavior.forwarding.cookies, Forwarding::Cookies::kAll);
  EXPECT_TRUE(d.default_behavior.forwarding.query_string);

  // Legacy TTLs are now read: ForwardedValues become the cache key.
  const CachePolicy& policy = d.default_behavior.cache_policy;
  EXPECT_EQ(policy.query_strings.behavior, KeyValues::Behavior::kAll);
  EXPECT_EQ(policy.cookies.behavior, KeyValues::Behavior::kAll);
  EXPECT_EQ(policy.headers.behavior, KeyValues::Behavior::kNone);
  EXPECT_FALSE(policy.honour_origin);
  EXPECT_TRUE(policy.caching_disabled());  // the seed sets all three TTLs to 0

  const std::vector<std::string> expected_warnings = {
      "DistributionConfig.DefaultCacheBehavior.AllowedMethods: POST, PUT, PATCH or DELETE on a "
      "behavior whose target is origin group \"failover-group\": CloudFront's API rejects this; "
      "edgefront accepts it and never fails those methods over",
  };
  EXPECT_EQ(r.config.warnings, expected_warnings);
}

TEST(CloudFrontJsonTest, SeedExampleLoadsWithWarnings) {
  expect_seed_distribution(load_config_file(EDGEFRONT_SOURCE_DIR "/examples/cloudfront-seed.json"));
}

TEST(CloudFrontJsonTest, WrappedSeedExampleLoadsTheSame) {
  LoadResult r = load_config_file(EDGEFRONT_SOURCE_DIR "/examples/cloudfront-wrapped.json");
  expect_seed_distribution(r);
  EXPECT_EQ(r.config.source, EDGEFRONT_SOURCE_DIR "/examples/cloudfront-wrapped.json");
}

TEST(CloudFrontJsonTest, TabIndentedJsonParses) {
  std::string text = cf();
  std::replace(text.begin(), text.end(), '\n', ' ');
  text = "{\n\t\"ETag\": \"X\",\n\t\"DistributionConfig\":\t" + text + "\n}\n";
  LoadResult r = load(text);
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
}

// The first snippet of seed 003: StatusCodes says Quantity 3 but lists 4 codes, and there is
// neither ForwardedValues nor CachePolicyId.
TEST(CloudFrontJsonTest, QuantityMismatchIsAWarningAndItemsWin) {
  const std::string text = R"({
    "Origins": {"Quantity": 2, "Items": [
      {"Id": "primary-alb", "DomainName": "alb-us-east-1.elb.amazonaws.com",
       "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}},
      {"Id": "secondary-alb", "DomainName": "alb-eu-west-1.elb.amazonaws.com",
       "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
    "OriginGroups": {"Quantity": 1, "Items": [{"Id": "failover-group",
      "FailoverCriteria": {"StatusCodes": {"Quantity": 3, "Items": [500, 502, 503, 504]}},
      "Members": {"Quantity": 2, "Items": [{"OriginId": "primary-alb"}, {"OriginId": "secondary-alb"}]}}]},
    "DefaultCacheBehavior": {"TargetOriginId": "failover-group", "ViewerProtocolPolicy": "redirect-to-https"}
  })";
  LoadResult r = load(text);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(r.config.distributions[0].origin_groups[0].failover_status_codes,
            (std::vector<int>{500, 502, 503, 504}));
  EXPECT_EQ(r.config.warnings,
            (std::vector<std::string>{
                "DistributionConfig.OriginGroups.Items[0].FailoverCriteria.StatusCodes.Quantity: "
                "is 3 but Items has 4 entries; using the items",
                "DistributionConfig.DefaultCacheBehavior: neither ForwardedValues nor "
                "CachePolicyId is set (CloudFront's API requires one); all query strings, "
                "cookies and headers are forwarded to the origin and nothing is cached"}));
  // Struct defaults: forward everything, and so cache nothing (legacy "all headers").
  const Forwarding& f = r.config.distributions[0].default_behavior.forwarding;
  EXPECT_TRUE(f.query_string);
  EXPECT_EQ(f.cookies, Forwarding::Cookies::kAll);
  EXPECT_EQ(f.headers, Forwarding::Headers::kAll);
  EXPECT_TRUE(r.config.distributions[0].default_behavior.cache_policy.caching_disabled());
}

TEST(CloudFrontJsonTest, UnsupportedFieldsAreWarningsNamingTheirPath) {
  const std::string behavior = R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "ResponseHeadersPolicyId": "67f7725c-6f97-4210-82d7-5512b31e9d03",
    "Compress": true,
    "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["kg"]},
    "FunctionAssociations": {"Quantity": 1, "Items": [{"FunctionARN": "arn:f", "EventType": "viewer-request"}]},
    "Bogus": 1})";
  const std::string origin1 = R"({"Id": "b", "DomainName": "bucket.s3.amazonaws.com",
    "S3OriginConfig": {"OriginAccessIdentity": ""},
    "OriginShield": {"Enabled": true, "OriginShieldRegion": "us-east-1"},
    "OriginAccessControlId": "E2QWRUHAPOMQZL"})";
  const std::string extra = R"(,
    "ViewerCertificate": {"CloudFrontDefaultCertificate": true},
    "Restrictions": {"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 1, "Items": ["US"]}},
    "WebACLId": "arn:aws:wafv2:acl", "HttpVersion": "http2", "PriceClass": "PriceClass_All",
    "IsIPV6Enabled": true, "Logging": {"Enabled": true, "IncludeCookies": false, "Bucket": "b", "Prefix": ""})";
  LoadResult r = load(cf(origin1, behavior, extra));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const std::vector<std::string> expected = {
      "DistributionConfig.Origins.Items[1].S3OriginConfig: S3 origins are not supported yet; "
      "treated as a custom origin, https-only on port 443",
      "DistributionConfig.Origins.Items[1].OriginShield: Origin Shield is not supported; "
      "requests go straight to the origin",
      "DistributionConfig.Origins.Items[1].OriginAccessControlId: origin access control is not "
      "implemented yet; origin requests are not signed",
      "DistributionConfig.DefaultCacheBehavior.TrustedKeyGroups: signed URLs and cookies are "
      "not implemented yet; content is served WITHOUT signature checks",
      "DistributionConfig.DefaultCacheBehavior.FunctionAssociations: edge functions are not "
      "implemented yet; not run",
      "DistributionConfig.DefaultCacheBehavior.Bogus: unknown field; ignored",
      "DistributionConfig.Logging.Bucket: logs are written to the file named by server.access_log "
      "or --access-log; ignored",
      "DistributionConfig.PriceClass: not applicable to a self-hosted edge; ignored",
      "DistributionConfig.ViewerCertificate: ACM/IAM certificates cannot be fetched; give "
      "certificate files and minimum_protocol in a native YAML server.listen[].tls; ignored",
      "DistributionConfig.Restrictions: geo restriction is not implemented yet; viewers from "
      "every country are served",
      "DistributionConfig.WebACLId: AWS WAF is not supported; requests are not filtered",
      "DistributionConfig.HttpVersion: HTTP/2 is offered per listener (server.listen[].tls.http2, "
      "and h2c with prior knowledge); HTTP/3 is not supported; ignored",
      "DistributionConfig.IsIPV6Enabled: not applicable: edgefront listens on the server.listen "
      "addresses; ignored",
      "DistributionConfig.DefaultCacheBehavior.OriginRequestPolicyId: sends every viewer header, "
      "Host included, to the origin on a behavior that caches, outside the cache key (the cache "
      "key holds no header); one viewer's value then decides the object every viewer gets "
      "(cache poisoning): key on what the origin reads, or forward less",
  };
  EXPECT_EQ(r.config.warnings, expected);
  // The S3 origin is treated as https-only on 443; CachingOptimized with the AllViewer origin
  // request policy forwards everything.
  const Distribution& d = r.config.distributions[0];
  EXPECT_EQ(d.origins[1].protocol_policy, OriginProtocolPolicy::kHttpsOnly);
  EXPECT_EQ(d.origins[1].https_port, 443);
  EXPECT_EQ(d.default_behavior.forwarding.headers, Forwarding::Headers::kAll);
  EXPECT_EQ(d.default_behavior.forwarding.cookies, Forwarding::Cookies::kAll);
}

// What get-distribution-config prints for features that are off: no warnings for those.
TEST(CloudFrontJsonTest, SwitchedOffUnsupportedFieldsNeedNoWarning) {
  const std::string behavior = R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
    "TrustedSigners": {"Enabled": false, "Quantity": 0},
    "TrustedKeyGroups": {"Enabled": false, "Quantity": 0},
    "LambdaFunctionAssociations": {"Quantity": 0},
    "FunctionAssociations": {"Quantity": 0},
    "FieldLevelEncryptionId": "", "SmoothStreaming": false, "Compress": false,
    "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"},
      "Headers": {"Quantity": 0}, "QueryStringCacheKeys": {"Quantity": 0}}})";
  const std::string origin1 = R"({"Id": "b", "DomainName": "b.example", "OriginPath": "",
    "CustomHeaders": {"Quantity": 0},
    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"},
    "ConnectionAttempts": 3, "ConnectionTimeout": 10,
    "OriginShield": {"Enabled": false}, "OriginAccessControlId": ""})";
  const std::string extra = R"(,
    "Aliases": {"Quantity": 0}, "DefaultRootObject": "",
    "OriginGroups": {"Quantity": 0}, "CacheBehaviors": {"Quantity": 0},
    "CustomErrorResponses": {"Quantity": 0},
    "Logging": {"Enabled": false, "IncludeCookies": false, "Bucket": "", "Prefix": ""},
    "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
    "WebACLId": "", "IsIPV6Enabled": false, "Staging": false, "ContinuousDeploymentPolicyId": "")";
  LoadResult r = load(cf(origin1, behavior, extra));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
}

TEST(CloudFrontJsonTest, CacheTagConfigNamesTheTagHeader) {
  LoadResult r = load(
      cf(kOrigin1, kBehavior, R"(, "CacheTagConfig": {"HeaderName": "x-amz-meta-cache-tag"})"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(r.config.distributions.at(0).cache_tag_header, "x-amz-meta-cache-tag");
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
  std::vector<std::string> errors =
      errors_of(cf(kOrigin1, kBehavior, R"(, "CacheTagConfig": {"HeaderName": "bad name"})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "DistributionConfig.CacheTagConfig.HeaderName: expected an HTTP header name");
}

TEST(CloudFrontJsonTest, FailoverCodeOutsideConsoleSetIsAWarning) {
  const std::string extra = R"(, "OriginGroups": {"Quantity": 1, "Items": [{"Id": "g",
    "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 429]}},
    "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "b"}]},
    "SelectionCriteria": "media-quality-based"}]})";
  LoadResult r = load(cf(kOrigin1, kBehavior, extra));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(r.config.distributions[0].origin_groups[0].failover_status_codes,
            (std::vector<int>{500, 429}));
  EXPECT_EQ(r.config.warnings,
            (std::vector<std::string>{
                "DistributionConfig.OriginGroups.Items[0].FailoverCriteria.StatusCodes.Items[1]: "
                "429 is not one of CloudFront's failover codes (400|403|404|416|500|502|503|504); "
                "accepted",
                "DistributionConfig.OriginGroups.Items[0].SelectionCriteria: only \"default\" "
                "selection is supported; using default"}));
}

TEST(CloudFrontJsonTest, CollectsAllErrors) {
  const std::string origin1 = R"({"Id": "b", "DomainName": "b.example:80",
    "CustomOriginConfig": {"HTTPPort": 0, "HTTPSPort": "x", "OriginProtocolPolicy": "tcp"}})";
  const std::string behavior = R"({"TargetOriginId": "nope", "ViewerProtocolPolicy": "allow-all",
    "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}})";
  EXPECT_EQ(errors_of(cf(origin1, behavior)),
            (std::vector<std::string>{
                "DistributionConfig.Origins.Items[1].DomainName: expected a bare host name (ports "
                "come from CustomOriginConfig)",
                "DistributionConfig.Origins.Items[1].CustomOriginConfig.HTTPPort: expected "
                "integer 1-65535",
                "DistributionConfig.Origins.Items[1].CustomOriginConfig.HTTPSPort: expected "
                "integer 1-65535",
                "DistributionConfig.Origins.Items[1].CustomOriginConfig.OriginProtocolPolicy: "
                "expected one of http-only|https-only|match-viewer",
                "DistributionConfig.DefaultCacheBehavior.TargetOriginId: no origin or origin "
                "group named \"nope\""}));
}

struct BadCase {
  const char* name;
  std::string text;
  std::string error;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::string with_origin_config(const std::string& custom_origin_config) {
  return R"({"Id": "b", "DomainName": "b.example", "CustomOriginConfig": )" + custom_origin_config +
         "}";
}

std::string with_behavior_fields(const std::string& fields) {
  return R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
    "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}})" +
         fields + "}";
}

std::string with_group(const std::string& group) {
  return R"(, "OriginGroups": {"Quantity": 1, "Items": [)" + group + "]}";
}

std::string with_error_response(const std::string& response) {
  return R"(, "CustomErrorResponses": {"Quantity": 1, "Items": [)" + response + "]}";
}

const std::string kOrigins1 = "DistributionConfig.Origins.Items[1].";
const std::string kDcb = "DistributionConfig.DefaultCacheBehavior.";
const std::string kGroup0 = "DistributionConfig.OriginGroups.Items[0].";
const std::string kError0 = "DistributionConfig.CustomErrorResponses.Items[0].";

std::vector<BadCase> bad_cases() {
  return {
      {"HttpPortType",
       cf(with_origin_config(
           R"({"HTTPPort": "eighty", "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"})")),
       kOrigins1 + "CustomOriginConfig.HTTPPort: expected integer 1-65535"},
      {"HttpPortRange",
       cf(with_origin_config(
           R"({"HTTPPort": 65536, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"})")),
       kOrigins1 + "CustomOriginConfig.HTTPPort: expected integer 1-65535"},
      {"HttpPortObject",
       cf(with_origin_config(
           R"({"HTTPPort": {}, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"})")),
       kOrigins1 + "CustomOriginConfig.HTTPPort: expected integer 1-65535"},
      {"HttpsPortMissing",
       cf(with_origin_config(R"({"HTTPPort": 80, "OriginProtocolPolicy": "http-only"})")),
       kOrigins1 + "CustomOriginConfig.HTTPSPort: required"},
      {"ProtocolPolicyEnum",
       cf(with_origin_config(
           R"({"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "HTTP"})")),
       kOrigins1 + "CustomOriginConfig.OriginProtocolPolicy: expected one of "
                   "http-only|https-only|match-viewer"},
      {"SslProtocolEnum",
       cf(with_origin_config(
           R"({"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
          "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.3"]}})")),
       kOrigins1 + "CustomOriginConfig.OriginSslProtocols.Items[0]: expected one of "
                   "SSLv3|TLSv1|TLSv1.1|TLSv1.2"},
      {"ReadTimeoutRange",
       cf(with_origin_config(
           R"({"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
          "OriginReadTimeout": 121})")),
       kOrigins1 + "CustomOriginConfig.OriginReadTimeout: expected integer 1-120"},
      {"ConnectionAttemptsRange",
       cf(R"({"Id": "b", "DomainName": "b.example", "ConnectionAttempts": 4,
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "ConnectionAttempts: expected integer 1-3"},
      {"ConnectionTimeoutRange",
       cf(R"({"Id": "b", "DomainName": "b.example", "ConnectionTimeout": 11,
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "ConnectionTimeout: expected integer 1-10"},
      {"NoOriginConfig", cf(R"({"Id": "b", "DomainName": "b.example"})"),
       kOrigins1 + "CustomOriginConfig: required"},
      {"OriginIdMissing", cf(R"({"DomainName": "b.example",
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "Id: required"},
      {"DomainNameWithPort", cf(R"({"Id": "b", "DomainName": "b.example:8080",
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "DomainName: expected a bare host name (ports come from CustomOriginConfig)"},
      {"DomainNameWithScheme", cf(R"({"Id": "b", "DomainName": "http://b.example",
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "DomainName: expected a bare host name (ports come from CustomOriginConfig)"},
      {"DuplicateOriginId", cf(R"({"Id": "a", "DomainName": "b.example",
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "Id: duplicate id \"a\""},
      {"OriginPathTrailingSlash",
       cf(R"({"Id": "b", "DomainName": "b.example", "OriginPath": "/prod/",
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "OriginPath: expected a path starting with '/' and not ending with '/'"},
      {"OriginPathNoLeadingSlash",
       cf(R"({"Id": "b", "DomainName": "b.example", "OriginPath": "prod",
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "OriginPath: expected a path starting with '/' and not ending with '/'"},
      {"ForbiddenCustomHeader", cf(R"({"Id": "b", "DomainName": "b.example",
          "CustomHeaders": {"Quantity": 2, "Items": [{"HeaderName": "X-Ok", "HeaderValue": "1"},
                                                     {"HeaderName": "Host", "HeaderValue": "evil"}]},
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "CustomHeaders.Items[1].HeaderName: \"Host\" cannot be set as an origin "
                   "custom header"},
      {"ForbiddenAmzHeader", cf(R"({"Id": "b", "DomainName": "b.example",
          "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Amz-Date", "HeaderValue": "1"}]},
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "CustomHeaders.Items[0].HeaderName: \"X-Amz-Date\" cannot be set as an "
                   "origin custom header"},
      {"TooManyCustomHeaders", cf(R"({"Id": "b", "DomainName": "b.example",
          "CustomHeaders": {"Quantity": 11, "Items": [
            {"HeaderName": "X-1", "HeaderValue": "1"}, {"HeaderName": "X-2", "HeaderValue": "1"},
            {"HeaderName": "X-3", "HeaderValue": "1"}, {"HeaderName": "X-4", "HeaderValue": "1"},
            {"HeaderName": "X-5", "HeaderValue": "1"}, {"HeaderName": "X-6", "HeaderValue": "1"},
            {"HeaderName": "X-7", "HeaderValue": "1"}, {"HeaderName": "X-8", "HeaderValue": "1"},
            {"HeaderName": "X-9", "HeaderValue": "1"}, {"HeaderName": "X-10", "HeaderValue": "1"},
            {"HeaderName": "X-11", "HeaderValue": "1"}]},
          "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}})"),
       kOrigins1 + "CustomHeaders.Items: at most 10 headers"},
      {"ViewerProtocolPolicyEnum",
       cf(kOrigin1, R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "https",
          "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}})"),
       kDcb + "ViewerProtocolPolicy: expected one of allow-all|https-only|redirect-to-https"},
      {"TargetOriginIdMissing", cf(kOrigin1, R"({"ViewerProtocolPolicy": "allow-all",
          "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}})"),
       kDcb + "TargetOriginId: required"},
      {"DanglingTargetOriginId",
       cf(kOrigin1, R"({"TargetOriginId": "x", "ViewerProtocolPolicy": "allow-all",
          "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}})"),
       kDcb + "TargetOriginId: no origin or origin group named \"x\""},
      {"DefaultBehaviorMissing", R"({"Origins": {"Quantity": 1, "Items": [)" + kOrigin0 + "]}}",
       "DistributionConfig.DefaultCacheBehavior: required"},
      {"OriginsEmpty",
       R"({"Origins": {"Quantity": 0, "Items": []}, "DefaultCacheBehavior": {"TargetOriginId": "a",
          "ViewerProtocolPolicy": "allow-all"}})",
       "DistributionConfig.Origins.Items: at least one origin required"},
      {"AllowedMethodsBadSet",
       cf(kOrigin1,
          with_behavior_fields(
              R"(, "AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "POST"]})")),
       kDcb + "AllowedMethods.Items: expected GET,HEAD or GET,HEAD,OPTIONS or "
              "GET,HEAD,OPTIONS,PUT,POST,PATCH,DELETE"},
      {"AllowedMethodsUnknown",
       cf(kOrigin1, with_behavior_fields(
                        R"(, "AllowedMethods": {"Quantity": 2, "Items": ["GET", "FETCH"]})")),
       kDcb + "AllowedMethods.Items[1]: expected one of GET|HEAD|OPTIONS|PUT|POST|PATCH|DELETE"},
      {"CachedMethodsBadSet",
       cf(kOrigin1, with_behavior_fields(R"(, "AllowedMethods": {"Quantity": 7,
          "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
          "CachedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "POST"]}})")),
       kDcb + "AllowedMethods.CachedMethods.Items: expected GET,HEAD or GET,HEAD,OPTIONS"},
      {"CachedMethodsNotSubset",
       cf(kOrigin1,
          with_behavior_fields(R"(, "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"],
          "CachedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]}})")),
       kDcb + "AllowedMethods.CachedMethods.Items: must be a subset of AllowedMethods"},
      {"PathPatternOnDefault", cf(kOrigin1, with_behavior_fields(R"(, "PathPattern": "*")")),
       kDcb + "PathPattern: not allowed in DefaultCacheBehavior"},
      {"CookiesForwardEnum",
       cf(kOrigin1, R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
          "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "some"}}})"),
       kDcb + "ForwardedValues.Cookies.Forward: expected one of none|whitelist|all"},
      {"QueryStringType",
       cf(kOrigin1, R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
          "ForwardedValues": {"QueryString": "maybe", "Cookies": {"Forward": "none"}}})"),
       kDcb + "ForwardedValues.QueryString: expected boolean"},
      {"WhitelistWithoutNames",
       cf(kOrigin1, R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
          "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "whitelist"}}})"),
       kDcb + "ForwardedValues.Cookies.WhitelistedNames: required when Forward is whitelist"},
      {"StarHeaderNotAlone",
       cf(kOrigin1, R"({"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
          "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"},
            "Headers": {"Quantity": 2, "Items": ["*", "Host"]}}})"),
       kDcb + "ForwardedValues.Headers.Items: \"*\" must be the only item"},
      {"CacheBehaviorPathPatternMissing",
       cf(kOrigin1, kBehavior, R"(, "CacheBehaviors": {"Quantity": 1, "Items": [
          {"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
           "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}}]})"),
       "DistributionConfig.CacheBehaviors.Items[0].PathPattern: required"},
      {"CacheBehaviorBadPathPattern",
       cf(kOrigin1, kBehavior, R"(, "CacheBehaviors": {"Quantity": 1, "Items": [
          {"PathPattern": "/a b/*", "TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
           "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}}]})"),
       "DistributionConfig.CacheBehaviors.Items[0].PathPattern: character \" \" is not allowed "
       "in a path pattern"},
      {"CacheBehaviorDanglingTarget",
       cf(kOrigin1, kBehavior, R"(, "CacheBehaviors": {"Quantity": 1, "Items": [
          {"PathPattern": "/api/*", "TargetOriginId": "api", "ViewerProtocolPolicy": "allow-all",
           "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}}]})"),
       "DistributionConfig.CacheBehaviors.Items[0].TargetOriginId: no origin or origin group "
       "named \"api\""},
      {"GroupMemberDangling", cf(kOrigin1, kBehavior, with_group(R"({"Id": "g",
          "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [500]}},
          "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "c"}]}})")),
       kGroup0 + "Members.Items[1].OriginId: no origin named \"c\""},
      {"GroupMemberIsGroup", cf(kOrigin1, kBehavior, R"(, "OriginGroups": {"Quantity": 2, "Items": [
          {"Id": "g", "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [500]}},
           "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "b"}]}},
          {"Id": "h", "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [500]}},
           "Members": {"Quantity": 2, "Items": [{"OriginId": "g"}, {"OriginId": "b"}]}}]})"),
       "DistributionConfig.OriginGroups.Items[1].Members.Items[0].OriginId: \"g\" is an origin "
       "group; members must be origins"},
      {"GroupIdClashesWithOrigin", cf(kOrigin1, kBehavior, with_group(R"({"Id": "b",
          "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [500]}},
          "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "b"}]}})")),
       kGroup0 + "Id: duplicate id \"b\" (an origin)"},
      {"GroupOneMember", cf(kOrigin1, kBehavior, with_group(R"({"Id": "g",
          "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [500]}},
          "Members": {"Quantity": 1, "Items": [{"OriginId": "a"}]}})")),
       kGroup0 + "Members.Items: at least 2 members required"},
      {"GroupStatusCodeRange", cf(kOrigin1, kBehavior, with_group(R"({"Id": "g",
          "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [302]}},
          "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "b"}]}})")),
       kGroup0 + "FailoverCriteria.StatusCodes.Items[0]: expected integer 400-599"},
      {"GroupFailoverCriteriaMissing", cf(kOrigin1, kBehavior, with_group(R"({"Id": "g",
          "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "b"}]}})")),
       kGroup0 + "FailoverCriteria: required"},
      {"ErrorPageWithoutResponseCode",
       cf(kOrigin1, kBehavior,
          with_error_response(R"({"ErrorCode": 404, "ResponsePagePath": "/404.html"})")),
       kError0 + "ResponseCode: required when ResponsePagePath is set"},
      {"ResponseCodeWithoutErrorPage",
       cf(kOrigin1, kBehavior, with_error_response(R"({"ErrorCode": 404, "ResponseCode": "200"})")),
       kError0 + "ResponsePagePath: required when ResponseCode is set"},
      {"ErrorCodeNotCustomisable",
       cf(kOrigin1, kBehavior, with_error_response(R"({"ErrorCode": 401})")),
       kError0 + "ErrorCode: expected one of 400|403|404|405|414|416|500|501|502|503|504"},
      {"ResponseCodeNotAllowed",
       cf(kOrigin1, kBehavior,
          with_error_response(
              R"({"ErrorCode": 404, "ResponsePagePath": "/e.html", "ResponseCode": "201"})")),
       kError0 + "ResponseCode: expected one of 200|400|403|404|405|414|416|500|501|502|503|504"},
      {"ResponsePagePathRelative",
       cf(kOrigin1, kBehavior,
          with_error_response(
              R"({"ErrorCode": 404, "ResponsePagePath": "e.html", "ResponseCode": "404"})")),
       kError0 + "ResponsePagePath: expected a path starting with '/'"},
      {"DefaultRootObjectSlash", cf(kOrigin1, kBehavior, R"(, "DefaultRootObject": "/index.html")"),
       "DistributionConfig.DefaultRootObject: must not start with '/'"},
      {"AliasWithPort",
       cf(kOrigin1, kBehavior, R"(, "Aliases": {"Quantity": 1, "Items": ["a:b"]})"),
       "DistributionConfig.Aliases.Items[0]: expected a host name (optionally starting with "
       "\"*.\")"},
      {"OriginsNotAList", R"({"Origins": {"Quantity": 1, "Items": {"Id": "a"}},
          "DefaultCacheBehavior": {"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all"}})",
       "DistributionConfig.Origins.Items: expected array"},
      {"WrappedNotAnObject", R"({"ETag": "E1", "DistributionConfig": [1, 2]})",
       "DistributionConfig: expected object"},
      {"DuplicateKey", cf(kOrigin1, kBehavior, R"(, "Enabled": false)"),
       "DistributionConfig.Enabled: duplicate key"},
  };
}

class CloudFrontBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(CloudFrontBadInputTest, ReportsExactlyOneErrorWithPath) {
  LoadResult r = load(GetParam().text);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.problems.errors, std::vector<std::string>{GetParam().error});
}

INSTANTIATE_TEST_SUITE_P(Table, CloudFrontBadInputTest, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace edgefront::config
