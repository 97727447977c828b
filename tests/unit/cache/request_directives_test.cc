#include "cache/request_directives.h"

#include <gtest/gtest.h>

namespace edgefront::cache {
namespace {

using namespace std::chrono_literals;

config::CachePolicy honour() {
  config::CachePolicy p;
  p.honour_origin = true;
  return p;
}

http::RequestHead request(std::initializer_list<http::HeaderList::Field> headers) {
  http::RequestHead r;
  r.target = "/a";
  for (const auto& [n, v] : headers) r.headers.add(n, v);
  return r;
}

StorageDecision stored(std::chrono::seconds ttl) {
  StorageDecision d;
  d.store = true;
  d.ttl = ttl;
  return d;
}

TEST(RequestDirectives, IgnoredInCloudFrontMode) {
  config::CachePolicy cloudfront;
  RequestDirectives d = request_directives(
      cloudfront, request({{"Cache-Control", "no-cache, no-store, max-age=0, only-if-cached"},
                           {"Pragma", "no-cache"}}));
  EXPECT_FALSE(d.no_store);
  EXPECT_FALSE(d.revalidate);
  EXPECT_FALSE(d.only_if_cached);
  EXPECT_FALSE(d.max_age);
  EXPECT_TRUE(satisfies_request(d, stored(60s), 10s));
}

TEST(RequestDirectives, ReadInHonourOriginMode) {
  RequestDirectives d = request_directives(
      honour(), request({{"Cache-Control", "no-store, only-if-cached, max-age=5, min-fresh=2"}}));
  EXPECT_TRUE(d.no_store);
  EXPECT_TRUE(d.only_if_cached);
  EXPECT_EQ(d.max_age, 5s);
  EXPECT_EQ(d.min_fresh, 2s);
  EXPECT_TRUE(request_directives(honour(), request({{"Cache-Control", "no-cache"}})).revalidate);
}

TEST(RequestDirectives, PragmaOnlyWithoutCacheControl) {
  EXPECT_TRUE(request_directives(honour(), request({{"Pragma", "no-cache"}})).revalidate);
  EXPECT_FALSE(request_directives(honour(),
                                  request({{"Pragma", "no-cache"}, {"Cache-Control", "max-age=9"}}))
                   .revalidate);
}

TEST(SatisfiesRequest, FreshnessDemands) {
  RequestDirectives none;
  EXPECT_TRUE(satisfies_request(none, stored(60s), 59s));
  EXPECT_FALSE(satisfies_request(none, stored(60s), 60s));
  RequestDirectives max_age;
  max_age.max_age = 10s;
  EXPECT_TRUE(satisfies_request(max_age, stored(60s), 10s));
  EXPECT_FALSE(satisfies_request(max_age, stored(60s), 11s));
  RequestDirectives min_fresh;
  min_fresh.min_fresh = 20s;
  EXPECT_TRUE(satisfies_request(min_fresh, stored(60s), 40s));
  EXPECT_FALSE(satisfies_request(min_fresh, stored(60s), 41s));
  RequestDirectives no_cache;
  no_cache.revalidate = true;
  EXPECT_FALSE(satisfies_request(no_cache, stored(60s), 0s));
}

TEST(SatisfiesRequest, MaxStale) {
  RequestDirectives any;
  any.max_stale_any = true;
  EXPECT_TRUE(satisfies_request(any, stored(60s), 1000s));
  RequestDirectives bounded;
  bounded.max_stale = 30s;
  EXPECT_TRUE(satisfies_request(bounded, stored(60s), 90s));
  EXPECT_FALSE(satisfies_request(bounded, stored(60s), 91s));
  StorageDecision must = stored(60s);
  must.must_revalidate = true;
  EXPECT_FALSE(satisfies_request(any, must, 61s));
  StorageDecision no_cache = stored(60s);
  no_cache.revalidate_always = true;
  EXPECT_FALSE(satisfies_request(any, no_cache, 1s));
}

}  // namespace
}  // namespace edgefront::cache
