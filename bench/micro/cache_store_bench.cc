// Per-hit costs of the memory store: a lookup among 100k stored objects (hash probe, key
// check, invalidation check, Vary selection), and streaming a small body through a Fill; plus
// a cache key that names query strings, a header and a cookie.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "cache/cache_key.h"
#include "cache/memory_store.h"
#include "config/managed_policies.h"

namespace {

using namespace edgefront;

void BM_StoreFind100k(benchmark::State& state) {
  cache::InvalidationBoard board;
  cache::MemoryStore store(1ull << 30, board);
  std::vector<std::string> keys;
  for (uint64_t i = 0; i < 100'000; ++i) {
    keys.push_back("main|/objects/" + std::to_string(i));
    auto meta = std::make_shared<cache::ObjectMeta>();
    meta->distribution_id = "main";
    meta->path = "/objects/" + std::to_string(i);
    auto object = std::make_shared<cache::CachedObject>(meta, std::make_shared<cache::Fill>(),
                                                        board.sequence());
    uint64_t hash = i * 0x9E3779B97F4A7C15ull;
    store.insert(keys.back(), hash, object);
    store.account(object, 1200);
  }
  auto any = [](const cache::ObjectMeta& m) -> std::optional<std::string> {
    return m.secondary_key;
  };
  uint64_t i = 0;
  for (auto _ : state) {
    uint64_t k = (i++ * 7919) % keys.size();
    benchmark::DoNotOptimize(store.find(keys[k], k * 0x9E3779B97F4A7C15ull, any));
  }
}
BENCHMARK(BM_StoreFind100k);

void BM_FillAppendRead1k(benchmark::State& state) {
  const std::string body(1024, 'x');
  for (auto _ : state) {
    cache::Fill fill(body.size());
    fill.append(body);
    fill.complete();
    benchmark::DoNotOptimize(fill.read(0).data.size());
  }
}
BENCHMARK(BM_FillAppendRead1k);

void BM_BuildCacheKeyHeaderCookie(benchmark::State& state) {
  config::CachePolicy policy = *config::find_managed_cache_policy("CachingOptimized");
  policy.query_strings = {config::KeyValues::Behavior::kWhitelist, {"v", "lang"}};
  policy.headers = {config::KeyValues::Behavior::kWhitelist, {"X-Device"}};
  policy.cookies = {config::KeyValues::Behavior::kWhitelist, {"session"}};
  http::RequestHead request;
  request.target = "/static/app.js?v=123&utm_source=x&lang=en";
  request.headers.add("Host", "www.example.com");
  request.headers.add("Accept-Encoding", "gzip, deflate, br");
  request.headers.add("X-Device", "mobile");
  request.headers.add("Cookie", "session=abc; tracking=1");
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache::build_cache_key(policy, "main", request));
  }
}
BENCHMARK(BM_BuildCacheKeyHeaderCookie);

}  // namespace
