#include "cache/freshness.h"

#include <gtest/gtest.h>

#include <ostream>

#include "http/http_date.h"

namespace edgefront::cache {
namespace {

using std::chrono::seconds;
using namespace std::chrono_literals;

const SystemTime kNow = SystemTime(seconds(1'700'000'000));

config::CachePolicy policy(long min, long def, long max) {
  config::CachePolicy p;
  p.min_ttl = seconds(min);
  p.default_ttl = seconds(def);
  p.max_ttl = seconds(max);
  return p;
}

config::CachePolicy honour() {
  config::CachePolicy p;
  p.honour_origin = true;
  return p;
}

http::RequestHead get() {
  http::RequestHead r;
  r.method = http::Method::kGet;
  r.target = "/a";
  return r;
}

http::ResponseHead response(int status, std::initializer_list<http::HeaderList::Field> fields) {
  http::ResponseHead r;
  r.status = status;
  for (const auto& [n, v] : fields) r.headers.add(n, v);
  return r;
}

std::string date(seconds offset) { return http::format_http_date(kNow + offset); }

StorageDecision decide(const config::CachePolicy& p, const http::ResponseHead& resp,
                       seconds ecmt = 10s, http::RequestHead req = get()) {
  return decide_storage(p, req, resp, kNow, ecmt);
}

// Spec 3.5 TTL table, MinTTL = 0 column (Min 0, Default 86400, Max 31536000 unless noted).
struct TtlRow {
  const char* name;
  long min, def, max;
  std::vector<http::HeaderList::Field> headers;
  bool store;
  long ttl;
};

class TtlTable : public ::testing::TestWithParam<TtlRow> {};

TEST_P(TtlTable, Row) {
  const TtlRow& row = GetParam();
  http::ResponseHead resp;
  resp.status = 200;
  for (const auto& [n, v] : row.headers) resp.headers.add(n, v);
  StorageDecision d = decide(policy(row.min, row.def, row.max), resp);
  EXPECT_EQ(d.store, row.store) << d.reason;
  if (row.store) {
    EXPECT_EQ(d.ttl, seconds(row.ttl));
  } else {
    EXPECT_FALSE(d.reason.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    MinTtlZero, TtlTable,
    ::testing::Values(
        TtlRow{"max_age", 0, 86400, 31536000, {{"Cache-Control", "max-age=600"}}, true, 600},
        TtlRow{"max_age_capped", 0, 86400, 300, {{"Cache-Control", "max-age=600"}}, true, 300},
        TtlRow{"s_maxage_wins",
               0,
               86400,
               31536000,
               {{"Cache-Control", "max-age=600, s-maxage=60"}},
               true,
               60},
        TtlRow{"s_maxage_capped", 0, 86400, 30, {{"Cache-Control", "s-maxage=60"}}, true, 30},
        TtlRow{"expires_only", 0, 86400, 31536000, {{"Expires", date(3600s)}}, true, 3600},
        TtlRow{"expires_capped", 0, 86400, 100, {{"Expires", date(3600s)}}, true, 100},
        TtlRow{"max_age_beats_expires",
               0,
               86400,
               31536000,
               {{"Cache-Control", "max-age=5"}, {"Expires", date(3600s)}},
               true,
               5},
        TtlRow{"nothing_default", 0, 86400, 31536000, {}, true, 86400},
        TtlRow{"nothing_custom_default", 0, 120, 31536000, {}, true, 120},
        TtlRow{"no_cache", 0, 86400, 31536000, {{"Cache-Control", "no-cache"}}, false, 0},
        TtlRow{"no_store", 0, 86400, 31536000, {{"Cache-Control", "no-store"}}, false, 0},
        TtlRow{"private", 0, 86400, 31536000, {{"Cache-Control", "private"}}, false, 0},
        TtlRow{"private_max_age",
               0,
               86400,
               31536000,
               {{"Cache-Control", "private, max-age=60"}},
               false,
               0},
        TtlRow{"max_age_zero_no_validator",
               0,
               86400,
               31536000,
               {{"Cache-Control", "max-age=0"}},
               false,
               0},
        TtlRow{"max_age_zero_with_etag",
               0,
               86400,
               31536000,
               {{"Cache-Control", "max-age=0"}, {"ETag", "\"v1\""}},
               true,
               0},
        TtlRow{"expired_expires_with_validator",
               0,
               86400,
               31536000,
               {{"Expires", date(-10s)}, {"Last-Modified", date(-100s)}},
               true,
               0},
        TtlRow{"invalid_expires_is_expired",
               0,
               86400,
               31536000,
               {{"Expires", "0"}, {"ETag", "\"x\""}},
               true,
               0}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    MinTtlPositive, TtlTable,
    ::testing::Values(
        TtlRow{"max_age_above_min",
               60,
               86400,
               31536000,
               {{"Cache-Control", "max-age=600"}},
               true,
               600},
        TtlRow{
            "max_age_below_min", 60, 86400, 31536000, {{"Cache-Control", "max-age=5"}}, true, 60},
        TtlRow{
            "max_age_above_max", 60, 86400, 1000, {{"Cache-Control", "max-age=5000"}}, true, 1000},
        TtlRow{"s_maxage_below_min",
               60,
               86400,
               31536000,
               {{"Cache-Control", "max-age=600, s-maxage=10"}},
               true,
               60},
        TtlRow{
            "s_maxage_within", 60, 86400, 31536000, {{"Cache-Control", "s-maxage=90"}}, true, 90},
        TtlRow{"expires_below_min", 60, 86400, 31536000, {{"Expires", date(30s)}}, true, 60},
        TtlRow{"expires_within", 60, 86400, 31536000, {{"Expires", date(300s)}}, true, 300},
        TtlRow{"expires_above_max", 60, 86400, 200, {{"Expires", date(300s)}}, true, 200},
        TtlRow{"nothing_default_above_min", 60, 86400, 31536000, {}, true, 86400},
        TtlRow{"nothing_min_above_default", 600, 100, 31536000, {}, true, 600},
        TtlRow{"no_cache_cached_for_min",
               60,
               86400,
               31536000,
               {{"Cache-Control", "no-cache"}},
               true,
               60},
        TtlRow{"no_store_cached_for_min",
               60,
               86400,
               31536000,
               {{"Cache-Control", "no-store"}},
               true,
               60},
        TtlRow{"private_cached_for_min",
               60,
               86400,
               31536000,
               {{"Cache-Control", "private, max-age=600"}},
               true,
               60},
        TtlRow{"vary_star_normal", 60, 86400, 31536000, {{"Vary", "*"}}, true, 86400}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DecideStorage, CachingDisabledStoresNothing) {
  config::CachePolicy p = policy(0, 0, 0);
  EXPECT_TRUE(p.caching_disabled());
  for (int status : {200, 404, 500}) {
    StorageDecision d = decide(p, response(status, {{"Cache-Control", "max-age=600"}}));
    EXPECT_FALSE(d.store) << status;
    EXPECT_FALSE(d.collapsible);
  }
}

TEST(DecideStorage, TargetedFieldReplacesCacheControlAndExpires) {
  StorageDecision d =
      decide(policy(0, 86400, 31536000), response(200, {{"Cache-Control", "no-store"},
                                                        {"Expires", date(10s)},
                                                        {"CDN-Cache-Control", "max-age=120"}}));
  EXPECT_TRUE(d.store);
  EXPECT_EQ(d.ttl, 120s);
  // Targeted field present but with no lifetime: Expires is still ignored -> DefaultTTL.
  StorageDecision e = decide(
      policy(0, 500, 31536000),
      response(200, {{"Expires", date(10s)}, {"Edgefront-Cache-Control", "must-revalidate"}}));
  EXPECT_EQ(e.ttl, 500s);
}

TEST(DecideStorage, MethodsOtherThanGetAndOptionsAreNotStored) {
  for (http::Method m : {http::Method::kPost, http::Method::kPut, http::Method::kDelete,
                         http::Method::kPatch, http::Method::kHead}) {
    http::RequestHead req = get();
    req.method = m;
    EXPECT_FALSE(decide(policy(0, 86400, 31536000), response(200, {}), 10s, req).store);
  }
  http::RequestHead options = get();
  options.method = http::Method::kOptions;
  EXPECT_TRUE(decide(policy(0, 86400, 31536000), response(200, {}), 10s, options).store);
}

TEST(DecideStorage, RedirectsAreCached) {
  for (int status : {301, 302, 307, 308}) {
    EXPECT_TRUE(decide(policy(0, 86400, 31536000), response(status, {})).store) << status;
  }
  EXPECT_FALSE(decide(policy(0, 86400, 31536000), response(201, {})).store);
  EXPECT_FALSE(decide(policy(0, 86400, 31536000), response(304, {})).store);
}

// Spec 3.9 error caching.
TEST(ErrorCaching, AlwaysCachedCodes) {
  for (int status : {404, 414, 500, 501, 502, 503, 504}) {
    StorageDecision d = decide(policy(0, 86400, 31536000), response(status, {}), 10s);
    EXPECT_TRUE(d.store) << status;
    EXPECT_EQ(d.ttl, 10s) << status;
  }
}

TEST(ErrorCaching, OnlyWithMaxAgeCodes) {
  for (int status : {400, 403, 405, 412, 415}) {
    EXPECT_FALSE(decide(policy(0, 86400, 31536000), response(status, {})).store) << status;
    EXPECT_FALSE(
        decide(policy(0, 86400, 31536000), response(status, {{"Expires", date(100s)}})).store)
        << status;
    StorageDecision d =
        decide(policy(0, 86400, 31536000), response(status, {{"Cache-Control", "max-age=60"}}));
    EXPECT_TRUE(d.store) << status;
    EXPECT_EQ(d.ttl, 60s);
    EXPECT_TRUE(
        decide(policy(0, 86400, 31536000), response(status, {{"Cache-Control", "s-maxage=60"}}))
            .store);
  }
}

TEST(ErrorCaching, NeverCached) {
  EXPECT_FALSE(
      decide(policy(0, 86400, 31536000), response(416, {{"Cache-Control", "max-age=60"}}), 300s)
          .store);
  for (int status : {401, 409, 410, 429, 505}) {
    EXPECT_FALSE(decide(policy(0, 86400, 31536000), response(status, {})).store) << status;
  }
}

TEST(ErrorCaching, TtlIsMaxOfHeaderAndMinimum) {
  config::CachePolicy p = policy(0, 86400, 100);
  EXPECT_EQ(decide(p, response(404, {{"Cache-Control", "max-age=5"}}), 30s).ttl, 30s);
  EXPECT_EQ(decide(p, response(404, {{"Cache-Control", "max-age=50"}}), 30s).ttl, 50s);
  // Header capped at MaxTTL first.
  EXPECT_EQ(decide(p, response(404, {{"Cache-Control", "max-age=5000"}}), 30s).ttl, 100s);
  EXPECT_EQ(decide(p, response(503, {{"Expires", date(70s)}}), 30s).ttl, 70s);
  // Other directives: ErrorCachingMinTTL.
  EXPECT_EQ(decide(p, response(404, {{"Cache-Control", "no-store"}}), 30s).ttl, 30s);
  EXPECT_FALSE(decide(p, response(404, {}), 0s).store);
}

TEST(DecideStorage, AuthorizationNeedsExplicitPermission) {
  http::RequestHead req = get();
  req.headers.add("Authorization", "Bearer x");
  config::CachePolicy p = policy(0, 86400, 31536000);
  EXPECT_FALSE(decide(p, response(200, {{"Cache-Control", "max-age=60"}}), 10s, req).store);
  EXPECT_TRUE(decide(p, response(200, {{"Cache-Control", "public, max-age=60"}}), 10s, req).store);
  EXPECT_TRUE(decide(p, response(200, {{"Cache-Control", "s-maxage=60"}}), 10s, req).store);
  EXPECT_TRUE(decide(p, response(200, {{"Cache-Control", "must-revalidate"}}), 10s, req).store);
  // Authorization in the cache key: each credential gets its own object.
  p.headers.behavior = config::KeyValues::Behavior::kWhitelist;
  p.headers.names = {"authorization"};
  EXPECT_TRUE(decide(p, response(200, {{"Cache-Control", "max-age=60"}}), 10s, req).store);
}

TEST(DecideStorage, VaryStarWithMinTtlZeroNotStored) {
  StorageDecision d = decide(policy(0, 86400, 31536000), response(200, {{"Vary", "Accept, *"}}));
  EXPECT_FALSE(d.store);
}

TEST(DecideStorage, SetCookieQualifiedNoCacheStripsIt) {
  StorageDecision d = decide(
      policy(0, 86400, 31536000),
      response(200,
               {{"Cache-Control", "no-cache=\"Set-Cookie\", max-age=60"}, {"Set-Cookie", "a=b"}}));
  EXPECT_TRUE(d.store);
  EXPECT_TRUE(d.strip_set_cookie);
  EXPECT_EQ(d.ttl, 60s);
  StorageDecision plain =
      decide(policy(0, 86400, 31536000), response(200, {{"Set-Cookie", "a=b"}}));
  EXPECT_TRUE(plain.store);
  EXPECT_FALSE(plain.strip_set_cookie);
}

TEST(DecideStorage, CollapsingPerObject) {
  config::CachePolicy zero = policy(0, 86400, 31536000);
  EXPECT_TRUE(decide(zero, response(200, {{"Cache-Control", "max-age=60"}})).collapsible);
  EXPECT_FALSE(
      decide(zero, response(200, {{"Cache-Control", "max-age=0"}, {"ETag", "\"a\""}})).collapsible);
  EXPECT_FALSE(decide(zero, response(200, {{"Cache-Control", "s-maxage=0"}, {"ETag", "\"a\""}}))
                   .collapsible);
  EXPECT_FALSE(decide(zero, response(200, {{"Cache-Control", "no-store"}})).collapsible);
  config::CachePolicy min = policy(5, 86400, 31536000);
  EXPECT_TRUE(decide(min, response(200, {{"Cache-Control", "no-store"}})).collapsible);
}

TEST(DecideStorage, StaleExtensions) {
  StorageDecision d = decide(
      policy(0, 86400, 31536000),
      response(200,
               {{"Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=600"}}));
  EXPECT_EQ(d.stale_while_revalidate, 30s);
  EXPECT_EQ(d.stale_if_error, 600s);
  EXPECT_TRUE(d.serve_stale_on_origin_error);
  StorageDecision opt_out =
      decide(policy(60, 86400, 31536000),
             response(200, {{"Cache-Control", "no-cache, stale-if-error=0"}}));
  EXPECT_TRUE(opt_out.store);
  EXPECT_FALSE(opt_out.serve_stale_on_origin_error);
  StorageDecision mr = decide(
      policy(0, 86400, 31536000),
      response(200, {{"Cache-Control", "max-age=60, must-revalidate, stale-while-revalidate=30"}}));
  EXPECT_TRUE(mr.must_revalidate);
  EXPECT_EQ(mr.stale_while_revalidate, 0s);
  EXPECT_FALSE(mr.serve_stale_on_origin_error);
}

// Honour-origin mode: RFC 9111 for a shared cache.
TEST(HonourOrigin, ExplicitFreshness) {
  EXPECT_EQ(decide(honour(), response(200, {{"Cache-Control", "max-age=60"}})).ttl, 60s);
  StorageDecision s =
      decide(honour(), response(200, {{"Cache-Control", "max-age=60, s-maxage=5"}}));
  EXPECT_EQ(s.ttl, 5s);
  EXPECT_TRUE(s.must_revalidate);  // s-maxage implies proxy-revalidate
  EXPECT_EQ(decide(honour(), response(200, {{"Date", date(-100s)}, {"Expires", date(200s)}})).ttl,
            300s);  // Expires - Date, not Expires - now
  // TTL fields are unused: no clamp.
  EXPECT_EQ(decide(honour(), response(200, {{"Cache-Control", "max-age=99999999"}})).ttl,
            99999999s);
}

TEST(HonourOrigin, RefusedResponses) {
  EXPECT_FALSE(decide(honour(), response(200, {{"Cache-Control", "no-store"}})).store);
  EXPECT_FALSE(decide(honour(), response(200, {{"Cache-Control", "private, max-age=60"}})).store);
  EXPECT_FALSE(
      decide(honour(), response(200, {{"Vary", "*"}, {"Cache-Control", "max-age=6"}})).store);
  EXPECT_FALSE(decide(honour(), response(201, {{"ETag", "\"a\""}})).store);
  http::RequestHead options = get();
  options.method = http::Method::kOptions;
  EXPECT_FALSE(
      decide(honour(), response(200, {{"Cache-Control", "max-age=60"}}), 10s, options).store);
}

TEST(HonourOrigin, NoCacheStoredButRevalidatedEachUse) {
  StorageDecision d = decide(
      honour(), response(200, {{"Cache-Control", "no-cache, max-age=60"}, {"ETag", "\"a\""}}));
  EXPECT_TRUE(d.store);
  EXPECT_TRUE(d.revalidate_always);
  EXPECT_FALSE(d.collapsible);
  EXPECT_EQ(classify_freshness(d, 0s), Freshness::kStale);
}

TEST(HonourOrigin, MustRevalidateAndProxyRevalidate) {
  EXPECT_TRUE(decide(honour(), response(200, {{"Cache-Control", "max-age=5, must-revalidate"}}))
                  .must_revalidate);
  EXPECT_TRUE(decide(honour(), response(200, {{"Cache-Control", "max-age=5, proxy-revalidate"}}))
                  .must_revalidate);
}

TEST(HonourOrigin, HeuristicFreshness) {
  // 10% of Date - Last-Modified.
  StorageDecision d =
      decide(honour(), response(200, {{"Date", date(0s)}, {"Last-Modified", date(-1000s)}}));
  EXPECT_TRUE(d.store);
  EXPECT_TRUE(d.heuristic);
  EXPECT_EQ(d.ttl, 100s);
  // Capped at one day.
  StorageDecision capped =
      decide(honour(), response(404, {{"Date", date(0s)}, {"Last-Modified", date(-86400s * 365)}}));
  EXPECT_EQ(capped.ttl, 86400s);
  // Not for statuses that are not heuristically cacheable.
  EXPECT_FALSE(
      decide(honour(), response(302, {{"Date", date(0s)}, {"Last-Modified", date(-1000s)}})).store);
  // Not with explicit expiry.
  StorageDecision explicit_ttl = decide(honour(), response(200, {{"Date", date(0s)},
                                                                 {"Last-Modified", date(-1000s)},
                                                                 {"Cache-Control", "max-age=7"}}));
  EXPECT_FALSE(explicit_ttl.heuristic);
  EXPECT_EQ(explicit_ttl.ttl, 7s);
  // Without Last-Modified: no heuristic; stored only because a validator exists.
  StorageDecision etag_only = decide(honour(), response(200, {{"ETag", "\"a\""}}));
  EXPECT_TRUE(etag_only.store);
  EXPECT_EQ(etag_only.ttl, 0s);
  EXPECT_FALSE(decide(honour(), response(200, {})).store);
}

TEST(HonourOrigin, HeuristicallyCacheableStatuses) {
  for (int status : {200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501}) {
    EXPECT_TRUE(
        decide(honour(), response(status, {{"Date", date(0s)}, {"Last-Modified", date(-50s)}}))
            .heuristic)
        << status;
  }
  for (int status : {302, 303, 307, 400, 403, 500, 502, 503}) {
    EXPECT_FALSE(
        decide(honour(), response(status, {{"Date", date(0s)}, {"Last-Modified", date(-50s)}}))
            .store)
        << status;
    EXPECT_TRUE(decide(honour(), response(status, {{"Cache-Control", "max-age=5"}})).store)
        << status;
  }
}

// RFC 9111 4.2.1 / 4.2.2 / 5.2.2.9 in honour-origin mode, as the cache-tests groups
// `expires` and `heuristic` exercise them (the response arrives at kNow).
struct HonourRow {
  const char* name;
  int status;
  std::vector<http::HeaderList::Field> headers;
  bool store;
  long ttl;
  bool heuristic;
};

void PrintTo(const HonourRow& row, std::ostream* os) { *os << row.name; }

class HonourTable : public ::testing::TestWithParam<HonourRow> {};

TEST_P(HonourTable, Decides) {
  const HonourRow& row = GetParam();
  http::ResponseHead r;
  r.status = row.status;
  for (const auto& [n, v] : row.headers) r.headers.add(n, v);
  StorageDecision d = decide(honour(), r);
  EXPECT_EQ(d.store, row.store) << row.name << ": " << d.reason;
  if (row.store) {
    EXPECT_EQ(d.ttl, seconds(row.ttl)) << row.name;
    EXPECT_EQ(d.heuristic, row.heuristic) << row.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9111, HonourTable,
    ::testing::Values(
        // Expires minus Date; without a valid Date, minus the time received (4.2.1).
        HonourRow{"expires_date",
                  200,
                  {{"Date", date(-100s)}, {"Expires", date(200s)}},
                  true,
                  300,
                  false},
        HonourRow{"expires_no_date", 200, {{"Expires", date(10s)}}, true, 10, false},
        HonourRow{"expires_invalid_date",
                  200,
                  {{"Date", "foo"}, {"Expires", date(10s)}},
                  true,
                  10,
                  false},
        HonourRow{
            "expires_past", 200, {{"Date", date(0s)}, {"Expires", date(-10s)}}, false, 0, false},
        HonourRow{"expires_invalid", 200, {{"Date", date(0s)}, {"Expires", "0"}}, false, 0, false},
        HonourRow{"expires_before_date",
                  200,
                  {{"Date", date(600s)}, {"Expires", date(300s)}},
                  false,
                  0,
                  false},
        // Heuristic freshness from Date (or the time received) - Last-Modified.
        HonourRow{"heuristic_no_date", 200, {{"Last-Modified", date(-1000s)}}, true, 100, true},
        // public makes any status heuristically cacheable (5.2.2.9).
        HonourRow{
            "public_599",
            599,
            {{"Date", date(0s)}, {"Last-Modified", date(-86400s)}, {"Cache-Control", "public"}},
            true,
            8640,
            true},
        HonourRow{"no_public_599",
                  599,
                  {{"Date", date(0s)}, {"Last-Modified", date(-86400s)}},
                  false,
                  0,
                  false},
        HonourRow{
            "public_403",
            403,
            {{"Date", date(0s)}, {"Last-Modified", date(-1000s)}, {"Cache-Control", "public"}},
            true,
            100,
            true}),
    [](const ::testing::TestParamInfo<HonourRow>& info) { return std::string(info.param.name); });

TEST(HonourOrigin, MustUnderstandOverridesNoStoreForKnownStatus) {
  EXPECT_TRUE(
      decide(honour(), response(200, {{"Cache-Control", "must-understand, no-store, max-age=9"}}))
          .store);
  EXPECT_FALSE(
      decide(honour(), response(299, {{"Cache-Control", "must-understand, no-store, max-age=9"}}))
          .store);
}

TEST(HonourOrigin, StaleIfErrorOnly) {
  StorageDecision d =
      decide(honour(), response(200, {{"Cache-Control", "max-age=10, stale-if-error=50"}}));
  EXPECT_FALSE(d.serve_stale_on_origin_error);
  EXPECT_TRUE(usable_on_error(d, 59s));
  EXPECT_FALSE(usable_on_error(d, 60s));
  StorageDecision none = decide(honour(), response(200, {{"Cache-Control", "max-age=10"}}));
  EXPECT_FALSE(usable_on_error(none, 11s));
}

TEST(Freshness, Classify) {
  StorageDecision d;
  d.store = true;
  d.ttl = 60s;
  d.stale_while_revalidate = 30s;
  EXPECT_EQ(classify_freshness(d, 0s), Freshness::kFresh);
  EXPECT_EQ(classify_freshness(d, 59s), Freshness::kFresh);
  EXPECT_EQ(classify_freshness(d, 60s), Freshness::kStaleWhileRevalidate);
  EXPECT_EQ(classify_freshness(d, 89s), Freshness::kStaleWhileRevalidate);
  EXPECT_EQ(classify_freshness(d, 90s), Freshness::kStale);
  d.must_revalidate = true;
  EXPECT_EQ(classify_freshness(d, 60s), Freshness::kStale);
}

TEST(Freshness, CloudFrontServesStaleOnError) {
  StorageDecision d =
      decide(policy(0, 86400, 31536000), response(200, {{"Cache-Control", "max-age=1"}}));
  EXPECT_TRUE(usable_on_error(d, 100000s));
}

TEST(CurrentAge, Rfc9111Calculation) {
  AgeInputs in;
  in.request_time = kNow - 2s;
  in.response_time = kNow;
  EXPECT_EQ(current_age(in, kNow), 2s);  // response_delay only
  EXPECT_EQ(current_age(in, kNow + 10s), 12s);
  in.age_value = 30s;
  EXPECT_EQ(current_age(in, kNow), 32s);
  in.age_value = 0s;
  in.date = kNow - 100s;  // apparent age dominates
  EXPECT_EQ(current_age(in, kNow + 1s), 101s);
  in.date = kNow + 100s;  // origin clock ahead: apparent age 0
  EXPECT_EQ(current_age(in, kNow), 2s);
  EXPECT_EQ(current_age(in, kNow - 50s), 2s);  // clock went backwards: never negative
}

TEST(CurrentAge, InputsFromHeaders) {
  http::HeaderList h;
  h.add("Date", date(-5s));
  h.add("Age", " 17 ");
  AgeInputs in = age_inputs(h, kNow - 1s, kNow);
  ASSERT_TRUE(in.date);
  EXPECT_EQ(*in.date, kNow - 5s);
  EXPECT_EQ(in.age_value, 17s);
  http::HeaderList bad;
  bad.add("Age", "-3");
  bad.add("Date", "yesterday");
  AgeInputs b = age_inputs(bad, kNow, kNow);
  EXPECT_FALSE(b.date);
  EXPECT_EQ(b.age_value, 0s);
}

TEST(Collapsing, PolicyLevel) {
  config::Forwarding cookies_none;
  cookies_none.cookies = config::Forwarding::Cookies::kNone;
  config::Forwarding cookies_all;
  EXPECT_TRUE(policy_allows_collapsing(policy(1, 86400, 31536000), cookies_none));
  EXPECT_FALSE(policy_allows_collapsing(policy(1, 86400, 31536000), cookies_all));
  EXPECT_FALSE(policy_allows_collapsing(policy(0, 0, 0), cookies_none));
  EXPECT_TRUE(policy_allows_collapsing(honour(), cookies_all));
}

TEST(RefreshFrom304, UpdatesFieldsButNotFraming) {
  http::HeaderList stored;
  stored.add("Content-Length", "100");
  stored.add("Content-Encoding", "gzip");
  stored.add("ETag", "\"v1\"");
  stored.add("Cache-Control", "max-age=10");
  stored.add("X-Old", "keep");
  stored.add("Link", "a");
  stored.add("Link", "b");
  http::HeaderList nm;
  nm.add("Content-Length", "0");
  nm.add("Content-Encoding", "identity");
  nm.add("Transfer-Encoding", "chunked");
  nm.add("Connection", "close, X-Hop");
  nm.add("X-Hop", "1");
  nm.add("Keep-Alive", "timeout=5");
  nm.add("ETag", "\"v2\"");
  nm.add("cache-control", "max-age=60");
  nm.add("Link", "c");
  nm.add("Date", "Mon, 20 Nov 2023 00:00:00 GMT");
  refresh_from_304(stored, nm);
  EXPECT_EQ(stored.get("Content-Length"), "100");
  EXPECT_EQ(stored.get("Content-Encoding"), "gzip");
  EXPECT_FALSE(stored.contains("Transfer-Encoding"));
  EXPECT_FALSE(stored.contains("Connection"));
  EXPECT_FALSE(stored.contains("X-Hop"));
  EXPECT_FALSE(stored.contains("Keep-Alive"));
  EXPECT_EQ(stored.get("ETag"), "\"v2\"");
  EXPECT_EQ(stored.get("Cache-Control"), "max-age=60");
  EXPECT_EQ(stored.count("Cache-Control"), 1u);
  EXPECT_EQ(stored.get_combined("Link"), "c");
  EXPECT_EQ(stored.get("X-Old"), "keep");
  EXPECT_TRUE(stored.contains("Date"));
}

}  // namespace
}  // namespace edgefront::cache
