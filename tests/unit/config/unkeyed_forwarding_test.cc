// Headers a caching behavior sends to the origin outside its cache key: the pure function,
// the strip flag each loader sets, and the load warnings with their field paths.
#include "config/unkeyed_forwarding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/effective_forwarding.h"
#include "config/loader.h"
#include "config/managed_policies.h"

namespace edgefront::config {
namespace {

using Names = std::vector<std::string>;
using HB = OriginRequestPolicy::HeaderBehavior;

const CachePolicy& managed(const char* name) { return *find_managed_cache_policy(name); }

OriginRequestPolicy orp(HB behavior, Names names = {}) {
  OriginRequestPolicy p;
  p.header_behavior = behavior;
  p.header_names = std::move(names);
  return p;
}

CachePolicy keyed_on(Names headers) {
  CachePolicy p = managed("CachingOptimized");
  p.headers = {KeyValues::Behavior::kWhitelist, std::move(headers)};
  return p;
}

struct Case {
  const char* name;
  CachePolicy cache;
  std::optional<OriginRequestPolicy> orp;
  bool origin_forwards_host;
  Names headers;             // expected unkeyed, named
  bool every_viewer_header;  // expected
  bool viewer_host;          // expected
};

class Unkeyed : public ::testing::TestWithParam<Case> {};

TEST_P(Unkeyed, Table) {
  const Case& c = GetParam();
  Distribution d;
  Origin o;
  o.id = "app";
  o.forward_viewer_host = c.origin_forwards_host;
  d.origins = {o};
  CacheBehavior b;
  b.target_origin_id = "app";
  b.cache_policy = c.cache;
  b.origin_request_policy = c.orp;
  UnkeyedForwarding u = unkeyed_forwarding(d, b);
  EXPECT_EQ(u.headers, c.headers);
  EXPECT_EQ(u.every_viewer_header, c.every_viewer_header);
  EXPECT_EQ(u.viewer_host, c.viewer_host);
  EXPECT_EQ(u.host_origins, c.origin_forwards_host && c.viewer_host ? Names{"app"} : Names{});
}

INSTANTIATE_TEST_SUITE_P(
    Policies, Unkeyed,
    ::testing::Values(
        Case{"NoOrp", managed("CachingOptimized"), std::nullopt, false, {}, false, false},
        Case{"WhitelistNotKeyed",
             managed("CachingOptimized"),
             orp(HB::kWhitelist, {"X-Forwarded-Host", "Origin"}),
             false,
             {"X-Forwarded-Host", "Origin"},
             false,
             false},
        // Names are compared case-insensitively against the key.
        Case{"WhitelistKeyed", keyed_on({"x-forwarded-host"}),
             orp(HB::kWhitelist, {"X-Forwarded-Host", "Host"}), false, Names{"Host"}, false, false},
        Case{"AllViewer", managed("CachingOptimized"), orp(HB::kAllViewer), false, {}, true, true},
        Case{"AllViewerHostKeyed", keyed_on({"Host"}), orp(HB::kAllViewer), false, {}, true, false},
        Case{"AllExceptHost",
             managed("CachingOptimized"),
             orp(HB::kAllExcept, {"Host"}),
             false,
             {},
             true,
             false},
        Case{
            "OriginForwardsHost", managed("CachingOptimized"), std::nullopt, true, {}, false, true},
        Case{"OriginForwardsHostKeyed", keyed_on({"Host"}), std::nullopt, true, {}, false, false},
        // Nothing is stored: nothing to poison.
        Case{"CachingDisabled",
             managed("CachingDisabled"),
             orp(HB::kAllViewer),
             true,
             {},
             false,
             false},
        Case{"HonourOrigin",
             [] {
               CachePolicy p;
               p.honour_origin = true;
               return p;
             }(),
             std::nullopt,
             true,
             {},
             false,
             false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(UnkeyedForwarding, GroupMembersForwardingHostAreNamed) {
  Distribution d;
  Origin a, b;
  a.id = "a";
  b.id = "b";
  b.forward_viewer_host = true;
  d.origins = {a, b};
  OriginGroup g;
  g.id = "g";
  g.member_origin_ids = {"a", "b"};
  d.origin_groups = {g};
  CacheBehavior behavior;
  behavior.target_origin_id = "g";
  behavior.cache_policy = managed("CachingOptimized");
  UnkeyedForwarding u = unkeyed_forwarding(d, behavior);
  EXPECT_EQ(u.host_origins, Names{"b"});
  EXPECT_TRUE(u.viewer_host);
}

TEST(UnkeyedForwarding, KeyedHeadersText) {
  EXPECT_EQ(keyed_headers_text(managed("CachingOptimized")), "no header");
  EXPECT_EQ(keyed_headers_text(keyed_on({"Host", "Origin"})), "Host, Origin");
}

// ------------------------------------------------------------------ strip flag

TEST(GuardUnkeyedOverrides, OnlyOnBehaviorsThatCacheWithoutAllHeaders) {
  EXPECT_TRUE(
      effective_forwarding(managed("CachingOptimized"), std::nullopt).strip_unkeyed_overrides);
  EXPECT_TRUE(effective_forwarding(managed("CachingOptimized"), orp(HB::kWhitelist, {"X-A"}))
                  .strip_unkeyed_overrides);
  EXPECT_FALSE(
      effective_forwarding(managed("CachingDisabled"), std::nullopt).strip_unkeyed_overrides);
  // Every viewer header asked for: all go (and validate warns).
  EXPECT_FALSE(effective_forwarding(managed("CachingOptimized"), orp(HB::kAllViewer))
                   .strip_unkeyed_overrides);
  CachePolicy honour;
  honour.honour_origin = true;
  EXPECT_FALSE(effective_forwarding(honour, std::nullopt).strip_unkeyed_overrides);
}

// ------------------------------------------------------------------ load warnings

std::string yaml(const std::string& top, const std::string& origin_extra,
                 const std::string& behavior) {
  return "server: {admin: 'off'}\n" + top + R"(
distribution:
  origins: [{id: app, domain_name: 127.0.0.1)" +
         origin_extra + R"(}]
  default_cache_behavior:
    target_origin_id: app
)" + behavior;
}

std::vector<std::string> warnings_of(const std::string& text, const char* source) {
  LoadResult r = load_config_text(text, source);
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  return r.config.warnings;
}

bool has_warning(const std::vector<std::string>& warnings, const std::string& prefix,
                 const std::string& part) {
  for (const std::string& w : warnings) {
    if (w.rfind(prefix, 0) == 0 && w.find(part) != std::string::npos) return true;
  }
  return false;
}

const std::string kOrp = R"(origin_request_policies:
  - name: fwd
    headers: {whitelist: [X-Forwarded-Host, Host]}
)";

TEST(UnkeyedWarnings, NativeOriginRequestPolicyWhitelist) {
  std::vector<std::string> w = warnings_of(
      yaml(kOrp, "", "    cache_policy: CachingOptimized\n    origin_request_policy: fwd\n"),
      "inline.yaml");
  ASSERT_EQ(w.size(), 1u) << ::testing::PrintToString(w);
  EXPECT_TRUE(has_warning(w, "distribution.default_cache_behavior.origin_request_policy: ",
                          "sends X-Forwarded-Host, Host to the origin on a behavior that caches"))
      << w[0];
  EXPECT_NE(w[0].find("cache poisoning"), std::string::npos);
}

TEST(UnkeyedWarnings, NativeKeyedOrNotCachingIsQuiet) {
  const std::string keyed = kOrp + R"(cache_policies:
  - name: by-host
    headers: {whitelist: [X-Forwarded-Host, Host]}
)";
  EXPECT_TRUE(
      warnings_of(yaml(keyed, "", "    cache_policy: by-host\n    origin_request_policy: fwd\n"),
                  "inline.yaml")
          .empty());
  EXPECT_TRUE(
      warnings_of(
          yaml(kOrp, "", "    cache_policy: CachingDisabled\n    origin_request_policy: fwd\n"),
          "inline.yaml")
          .empty());
  // Legacy forwarding keys what it forwards: nothing unkeyed.
  EXPECT_TRUE(warnings_of(yaml("", "",
                               "    forwarding: {headers: whitelist, header_names: [Host], "
                               "cookies: none}\n"),
                          "inline.yaml")
                  .empty());
}

TEST(UnkeyedWarnings, NativeOriginForwardsViewerHost) {
  std::vector<std::string> w =
      warnings_of(yaml("", ", forward_viewer_host: true",
                       "    forwarding: {headers: default, cookies: none}\n"),
                  "inline.yaml");
  ASSERT_EQ(w.size(), 1u) << ::testing::PrintToString(w);
  EXPECT_TRUE(has_warning(w, "distribution.default_cache_behavior.target_origin_id: ",
                          "origin \"app\" sends the viewer's Host"))
      << w[0];
}

TEST(UnkeyedWarnings, CloudFrontManagedAllViewerOnCachingOptimized) {
  const std::string json = R"({"CallerReference": "r", "Comment": "", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "a", "DomainName": "a.example",
    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
  "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/api/*", "TargetOriginId": "a",
    "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"}]}})";
  std::vector<std::string> w = warnings_of(json, "test.json");
  ASSERT_EQ(w.size(), 1u) << ::testing::PrintToString(w);
  EXPECT_TRUE(has_warning(w, "DistributionConfig.CacheBehaviors.Items[0].OriginRequestPolicyId: ",
                          "sends every viewer header, Host included,"))
      << w[0];
  EXPECT_NE(w[0].find("the cache key holds no header"), std::string::npos) << w[0];
}

}  // namespace
}  // namespace edgefront::config
