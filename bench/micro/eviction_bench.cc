// Eviction policy cost per operation on a full cache, and its bookkeeping per object at 1M
// objects (the `bytes_per_object` counter).
#include <benchmark/benchmark.h>

#include <random>

#include "cache/eviction.h"

namespace {

using edgefront::cache::EvictionPolicy;
using Factory = std::unique_ptr<EvictionPolicy> (*)(uint64_t);

constexpr uint64_t kObjectBytes = 1024;
constexpr uint64_t kResident = 1 << 20;

std::unique_ptr<EvictionPolicy> filled(Factory make, uint64_t objects) {
  auto policy = make(objects * kObjectBytes);
  std::vector<uint64_t> evicted;
  for (uint64_t key = 0; key < objects; ++key) policy->insert(key, kObjectBytes, evicted);
  return policy;
}

// Each insert of a new key evicts one resident object.
void BM_InsertEvicting(benchmark::State& state, Factory make) {
  auto policy = filled(make, kResident);
  std::vector<uint64_t> evicted;
  uint64_t key = kResident;
  for (auto _ : state) {
    evicted.clear();
    policy->insert(key++, kObjectBytes, evicted);
    benchmark::DoNotOptimize(evicted.data());
  }
  state.counters["bytes_per_object"] =
      static_cast<double>(policy->memory_bytes()) / static_cast<double>(policy->size());
}
BENCHMARK_CAPTURE(BM_InsertEvicting, s3fifo, &edgefront::cache::make_s3fifo);
BENCHMARK_CAPTURE(BM_InsertEvicting, lru, &edgefront::cache::make_lru);

// Hits on random resident keys (cache-missing memory accesses, as in a real index).
void BM_Hit(benchmark::State& state, Factory make) {
  auto policy = filled(make, kResident);
  std::mt19937_64 rng(1);
  std::vector<uint64_t> keys(1 << 16);
  for (uint64_t& k : keys) k = rng() % kResident;
  size_t i = 0;
  for (auto _ : state) {
    policy->on_hit(keys[i++ & (keys.size() - 1)]);
  }
  state.counters["bytes_per_object"] =
      static_cast<double>(policy->memory_bytes()) / static_cast<double>(policy->size());
}
BENCHMARK_CAPTURE(BM_Hit, s3fifo, &edgefront::cache::make_s3fifo);
BENCHMARK_CAPTURE(BM_Hit, lru, &edgefront::cache::make_lru);

}  // namespace
