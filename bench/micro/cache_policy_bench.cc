// Per-request costs of the cache policy layer: parsing Cache-Control, deciding storage and
// building a cache key (each runs once per miss or per request on the hot path).
#include <benchmark/benchmark.h>

#include "cache/cache_control.h"
#include "cache/cache_key.h"
#include "cache/freshness.h"
#include "config/managed_policies.h"

namespace {

using namespace edgefront;

void BM_ParseCacheControl(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache::parse_cache_control(
        "public, max-age=3600, s-maxage=86400, stale-while-revalidate=60, stale-if-error=600"));
  }
}
BENCHMARK(BM_ParseCacheControl);

void BM_DecideStorage(benchmark::State& state) {
  const config::CachePolicy& policy = *config::find_managed_cache_policy("CachingOptimized");
  http::RequestHead request;
  request.target = "/static/app.js";
  http::ResponseHead response;
  response.headers.add("Cache-Control", "public, max-age=3600");
  response.headers.add("ETag", "\"abc\"");
  response.headers.add("Content-Type", "application/javascript");
  SystemTime now{std::chrono::seconds(1'700'000'000)};
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        cache::decide_storage(policy, request, response, now, std::chrono::seconds(10)));
  }
}
BENCHMARK(BM_DecideStorage);

void BM_BuildCacheKey(benchmark::State& state) {
  config::CachePolicy policy = *config::find_managed_cache_policy("CachingOptimized");
  policy.query_strings = {config::KeyValues::Behavior::kWhitelist, {"v", "lang"}};
  http::RequestHead request;
  request.target = "/static/app.js?v=123&utm_source=x&lang=en";
  request.headers.add("Host", "www.example.com");
  request.headers.add("Accept-Encoding", "gzip, deflate, br");
  request.headers.add("Cookie", "session=abc; tracking=1");
  request.headers.add("User-Agent", "bench");
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache::build_cache_key(policy, "main", request));
  }
}
BENCHMARK(BM_BuildCacheKey);

}  // namespace
