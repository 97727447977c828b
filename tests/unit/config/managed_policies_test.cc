// Managed cache / origin request policies (cloudfront-spec.md 3.15), the union of a cache
// policy and an origin request policy (3.8), and legacy ForwardedValues as a policy (3.5).
#include "config/managed_policies.h"

#include <gtest/gtest.h>

#include "config/effective_forwarding.h"

namespace edgefront::config {
namespace {

using Behavior = KeyValues::Behavior;
using std::chrono::seconds;

struct ManagedCacheRow {
  const char* name;
  const char* id;
  long min, def, max;
  Behavior headers, cookies, query_strings;
  bool gzip, brotli;
};

TEST(ManagedCachePolicies, TableFromSpec) {
  const ManagedCacheRow rows[] = {
      {"CachingOptimized", "658327ea-f89d-4fab-a63d-7e88639e58f6", 1, 86400, 31536000,
       Behavior::kNone, Behavior::kNone, Behavior::kNone, true, true},
      {"CachingOptimizedForUncompressedObjects", "b2884449-e4de-46a7-ac36-70bc7f1ddd6d", 1, 86400,
       31536000, Behavior::kNone, Behavior::kNone, Behavior::kNone, false, false},
      {"CachingDisabled", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", 0, 0, 0, Behavior::kNone,
       Behavior::kNone, Behavior::kNone, false, false},
      {"Elemental-MediaPackage", "08627262-05a9-4f76-9ded-b50ca2e3a84f", 0, 86400, 31536000,
       Behavior::kWhitelist, Behavior::kNone, Behavior::kWhitelist, true, false},
      {"Amplify", "2e54312d-136d-493c-8eb9-b001f22f67d2", 2, 2, 600, Behavior::kWhitelist,
       Behavior::kAll, Behavior::kAll, true, true},
      {"UseOriginCacheControlHeaders", "83da9c7e-98b4-4e11-a168-04f0df8e2c65", 0, 0, 31536000,
       Behavior::kWhitelist, Behavior::kAll, Behavior::kNone, true, true},
      {"UseOriginCacheControlHeaders-QueryStrings", "4cc15a8a-d715-48a4-82b8-cc0b614638fe", 0, 0,
       31536000, Behavior::kWhitelist, Behavior::kAll, Behavior::kAll, true, true},
  };
  EXPECT_EQ(managed_cache_policies().size(), std::size(rows));
  for (const ManagedCacheRow& row : rows) {
    const CachePolicy* by_name = find_managed_cache_policy(row.name);
    const CachePolicy* by_id = find_managed_cache_policy(row.id);
    ASSERT_NE(by_name, nullptr) << row.name;
    EXPECT_EQ(by_name, by_id) << row.name;
    EXPECT_EQ(by_name->id, row.id);
    EXPECT_EQ(by_name->min_ttl, seconds(row.min)) << row.name;
    EXPECT_EQ(by_name->default_ttl, seconds(row.def)) << row.name;
    EXPECT_EQ(by_name->max_ttl, seconds(row.max)) << row.name;
    EXPECT_EQ(by_name->headers.behavior, row.headers) << row.name;
    EXPECT_EQ(by_name->cookies.behavior, row.cookies) << row.name;
    EXPECT_EQ(by_name->query_strings.behavior, row.query_strings) << row.name;
    EXPECT_EQ(by_name->accept_encoding_gzip, row.gzip) << row.name;
    EXPECT_EQ(by_name->accept_encoding_brotli, row.brotli) << row.name;
    EXPECT_EQ(by_name->caching_disabled(), std::string_view(row.name) == "CachingDisabled");
    EXPECT_FALSE(by_name->honour_origin);
  }
  EXPECT_EQ(find_managed_cache_policy("cachingoptimized"), nullptr);  // names are exact
  EXPECT_EQ(find_managed_cache_policy("nope"), nullptr);
  EXPECT_EQ(find_managed_cache_policy("Elemental-MediaPackage")->query_strings.names,
            (std::vector<std::string>{"aws.manifestfilter", "start", "end", "m"}));
}

TEST(ManagedOriginRequestPolicies, ByNameAndId) {
  using HB = OriginRequestPolicy::HeaderBehavior;
  struct Row {
    const char* name;
    const char* id;
    HB headers;
    size_t header_count;
  };
  const Row rows[] = {
      {"AllViewer", "216adef6-5c7f-47e4-b989-5492eafa07d3", HB::kAllViewer, 0},
      {"AllViewerAndCloudFrontHeaders-2022-06", "33f36d7e-f396-46d9-90e0-52428a34d9dc",
       HB::kAllViewerAndWhitelistCloudFront, 21},
      {"AllViewerExceptHostHeader", "b689b0a8-53d0-40ab-baf2-68738e2966ac", HB::kAllExcept, 1},
      {"CORS-CustomOrigin", "59781a5b-3903-41f3-afcb-af62929ccde1", HB::kWhitelist, 1},
      {"CORS-S3Origin", "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", HB::kWhitelist, 3},
      {"Elemental-MediaTailor-PersonalizedManifests", "775133bc-15f2-49f9-abea-afb2e0bf67d2",
       HB::kWhitelist, 5},
      {"UserAgentRefererHeaders", "acba4595-bd28-49b8-b9fe-13317c0390fa", HB::kWhitelist, 2},
  };
  EXPECT_EQ(managed_origin_request_policies().size(), std::size(rows));
  for (const Row& row : rows) {
    const OriginRequestPolicy* p = find_managed_origin_request_policy(row.name);
    ASSERT_NE(p, nullptr) << row.name;
    EXPECT_EQ(p, find_managed_origin_request_policy(row.id));
    EXPECT_EQ(p->header_behavior, row.headers) << row.name;
    EXPECT_EQ(p->header_names.size(), row.header_count) << row.name;
  }
}

TEST(HonourOriginPolicy, KeysOnTheTargetUri) {
  CachePolicy p = honour_origin_policy();
  EXPECT_TRUE(p.honour_origin);
  EXPECT_FALSE(p.caching_disabled());
  EXPECT_EQ(p.name, kHonourOriginName);
  EXPECT_EQ(p.query_strings.behavior, Behavior::kAll);
  Forwarding f = effective_forwarding(p, std::nullopt);
  EXPECT_TRUE(f.query_string);
  EXPECT_EQ(f.cookies, Forwarding::Cookies::kAll);
  EXPECT_EQ(f.headers, Forwarding::Headers::kAll);
}

CachePolicy key(KeyValues qs, KeyValues cookies, KeyValues headers = {}) {
  CachePolicy p;
  p.query_strings = std::move(qs);
  p.cookies = std::move(cookies);
  p.headers = std::move(headers);
  return p;
}

OriginRequestPolicy orp(
    KeyValues qs, KeyValues cookies,
    OriginRequestPolicy::HeaderBehavior headers = OriginRequestPolicy::HeaderBehavior::kNone,
    std::vector<std::string> header_names = {}) {
  OriginRequestPolicy p;
  p.query_strings = std::move(qs);
  p.cookies = std::move(cookies);
  p.header_behavior = headers;
  p.header_names = std::move(header_names);
  return p;
}

TEST(EffectiveForwarding, CacheKeyOnly) {
  Forwarding f = effective_forwarding(key({}, {}), std::nullopt);
  EXPECT_FALSE(f.query_string);
  EXPECT_EQ(f.cookies, Forwarding::Cookies::kNone);
  EXPECT_EQ(f.headers, Forwarding::Headers::kDefault);
  Forwarding w =
      effective_forwarding(key({Behavior::kWhitelist, {"v"}}, {Behavior::kWhitelist, {"s"}},
                               {Behavior::kWhitelist, {"Origin"}}),
                           std::nullopt);
  EXPECT_TRUE(w.query_string);
  EXPECT_EQ(w.query_string_names, (std::vector<std::string>{"v"}));
  EXPECT_FALSE(w.query_string_except);
  EXPECT_EQ(w.cookies, Forwarding::Cookies::kWhitelist);
  EXPECT_EQ(w.cookie_names, (std::vector<std::string>{"s"}));
  EXPECT_EQ(w.headers, Forwarding::Headers::kWhitelist);
  EXPECT_EQ(w.header_names, (std::vector<std::string>{"Origin"}));
}

TEST(EffectiveForwarding, UnionOfAllowLists) {
  Forwarding f = effective_forwarding(
      key({Behavior::kWhitelist, {"a"}}, {}, {Behavior::kWhitelist, {"Origin"}}),
      orp({Behavior::kWhitelist, {"b", "a"}}, {Behavior::kWhitelist, {"c"}},
          OriginRequestPolicy::HeaderBehavior::kWhitelist, {"origin", "Referer"}));
  EXPECT_EQ(f.query_string_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.cookies, Forwarding::Cookies::kWhitelist);
  EXPECT_EQ(f.cookie_names, (std::vector<std::string>{"c"}));
  EXPECT_EQ(f.header_names, (std::vector<std::string>{"Origin", "Referer"}));
}

TEST(EffectiveForwarding, AllowListBeatsBlockList) {
  // Cache allow list vs ORP block list: the allowed name is sent.
  Forwarding f = effective_forwarding(key({Behavior::kWhitelist, {"a"}}, {}),
                                      orp({Behavior::kAllExcept, {"a", "b"}}, {}));
  EXPECT_TRUE(f.query_string);
  EXPECT_TRUE(f.query_string_except);
  EXPECT_EQ(f.query_string_names, (std::vector<std::string>{"b"}));
  // ORP allow list vs cache block list.
  Forwarding g = effective_forwarding(key({}, {Behavior::kAllExcept, {"x", "y"}}),
                                      orp({}, {Behavior::kWhitelist, {"y"}}));
  EXPECT_EQ(g.cookies, Forwarding::Cookies::kAll);
  EXPECT_EQ(g.cookie_except_names, (std::vector<std::string>{"x"}));
}

TEST(EffectiveForwarding, TwoBlockListsBlockEither) {
  Forwarding f = effective_forwarding(key({Behavior::kAllExcept, {"a"}}, {}),
                                      orp({Behavior::kAllExcept, {"b"}}, {}));
  EXPECT_TRUE(f.query_string_except);
  EXPECT_EQ(f.query_string_names, (std::vector<std::string>{"a", "b"}));
}

TEST(EffectiveForwarding, AllWins) {
  Forwarding f = effective_forwarding(key({Behavior::kWhitelist, {"a"}}, {}),
                                      orp({Behavior::kAll, {}}, {Behavior::kAll, {}}));
  EXPECT_TRUE(f.query_string);
  EXPECT_TRUE(f.query_string_names.empty());
  EXPECT_EQ(f.cookies, Forwarding::Cookies::kAll);
  EXPECT_TRUE(f.cookie_except_names.empty());
}

TEST(EffectiveForwarding, HeaderPolicies) {
  Forwarding all =
      effective_forwarding(key({}, {}), *find_managed_origin_request_policy("AllViewer"));
  EXPECT_EQ(all.headers, Forwarding::Headers::kAll);
  EXPECT_TRUE(all.forward_host);
  Forwarding except_host = effective_forwarding(
      key({}, {}), *find_managed_origin_request_policy("AllViewerExceptHostHeader"));
  EXPECT_EQ(except_host.headers, Forwarding::Headers::kAll);
  EXPECT_EQ(except_host.header_except_names, (std::vector<std::string>{"Host"}));
  EXPECT_FALSE(except_host.forward_host);
  // A keyed header is sent even if the ORP blocks it.
  Forwarding keyed =
      effective_forwarding(key({}, {}, {Behavior::kWhitelist, {"host"}}),
                           *find_managed_origin_request_policy("AllViewerExceptHostHeader"));
  EXPECT_TRUE(keyed.header_except_names.empty());
  EXPECT_TRUE(keyed.forward_host);
}

TEST(LegacyCachePolicy, KeyIsWhatIsForwarded) {
  Forwarding f;
  f.query_string = false;
  f.cookies = Forwarding::Cookies::kWhitelist;
  f.cookie_names = {"session"};
  f.headers = Forwarding::Headers::kWhitelist;
  f.header_names = {"Accept-Language"};
  CachePolicy p = legacy_cache_policy(f, seconds(5), seconds(60), seconds(600));
  EXPECT_EQ(p.min_ttl, seconds(5));
  EXPECT_EQ(p.default_ttl, seconds(60));
  EXPECT_EQ(p.max_ttl, seconds(600));
  EXPECT_EQ(p.query_strings.behavior, Behavior::kNone);
  EXPECT_EQ(p.cookies.behavior, Behavior::kWhitelist);
  EXPECT_EQ(p.cookies.names, (std::vector<std::string>{"session"}));
  EXPECT_EQ(p.headers.behavior, Behavior::kWhitelist);
  EXPECT_FALSE(p.caching_disabled());
}

TEST(LegacyCachePolicy, AllHeadersCachesNothing) {
  Forwarding f;  // defaults: everything forwarded
  CachePolicy p = legacy_cache_policy(f, seconds(0), seconds(86400), seconds(31536000));
  EXPECT_TRUE(p.caching_disabled());
}

TEST(EffectiveForwarding, AcceptEncoding) {
  using AE = Forwarding::AcceptEncoding;
  Forwarding optimized =
      effective_forwarding(*find_managed_cache_policy("CachingOptimized"), std::nullopt);
  EXPECT_EQ(optimized.accept_encoding, AE::kNormalize);
  EXPECT_TRUE(optimized.accept_encoding_gzip);
  EXPECT_TRUE(optimized.accept_encoding_brotli);
  // Neither coding enabled: an ordinary header, not sent unless listed or all headers go.
  EXPECT_EQ(effective_forwarding(key({}, {}), std::nullopt).accept_encoding, AE::kRemove);
  EXPECT_EQ(
      effective_forwarding(key({}, {}, {Behavior::kWhitelist, {"accept-encoding"}}), std::nullopt)
          .accept_encoding,
      AE::kPassThrough);
  EXPECT_EQ(effective_forwarding(key({}, {}), *find_managed_origin_request_policy("AllViewer"))
                .accept_encoding,
            AE::kPassThrough);
  EXPECT_EQ(effective_forwarding(honour_origin_policy(), std::nullopt).accept_encoding,
            AE::kPassThrough);
}

}  // namespace
}  // namespace edgefront::config
