#include "cache/eviction.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

#include "cache/s3fifo.h"

namespace edgefront::cache {
namespace {

using Key = EvictionPolicy::Key;

// Tracks what a cache built on a policy would hold, from the policy's own decisions.
class Residency {
 public:
  explicit Residency(EvictionPolicy& policy) : policy_(policy) {}
  void insert(Key key, uint64_t bytes) {
    evicted_.clear();
    policy_.insert(key, bytes, evicted_);
    resident_.insert(key);
    for (Key gone : evicted_) resident_.erase(gone);
  }
  // A request: a hit if resident, otherwise the object is fetched and inserted.
  bool request(Key key, uint64_t bytes) {
    if (resident_.contains(key)) {
      policy_.on_hit(key);
      return true;
    }
    insert(key, bytes);
    return false;
  }
  void erase(Key key) {
    policy_.erase(key);
    resident_.erase(key);
  }
  bool resident(Key key) const { return resident_.contains(key); }
  size_t count() const { return resident_.size(); }
  const std::vector<Key>& last_evicted() const { return evicted_; }

 private:
  EvictionPolicy& policy_;
  std::unordered_set<Key> resident_;
  std::vector<Key> evicted_;
};

using Factory = std::unique_ptr<EvictionPolicy> (*)(uint64_t);

class EveryPolicy : public ::testing::TestWithParam<Factory> {};

TEST_P(EveryPolicy, NeverExceedsItsByteBudget) {
  auto policy = GetParam()(10'000);
  Residency cache(*policy);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<Key> key(0, 500);
  std::uniform_int_distribution<uint64_t> bytes(1, 1'500);
  for (int i = 0; i < 20'000; ++i) {
    Key k = key(rng);
    if (i % 17 == 0) {
      cache.erase(k);
    } else {
      cache.request(k, bytes(rng));
    }
    ASSERT_LE(policy->used_bytes(), policy->capacity_bytes()) << "step " << i;
    ASSERT_EQ(policy->size(), cache.count()) << "step " << i;
  }
}

TEST_P(EveryPolicy, AdmitsUntilFullThenEvictsToMakeRoom) {
  auto policy = GetParam()(1'000);
  Residency cache(*policy);
  for (Key k = 0; k < 10; ++k) cache.insert(k, 100);
  EXPECT_EQ(policy->used_bytes(), 1'000u);
  EXPECT_EQ(policy->size(), 10u);
  EXPECT_TRUE(cache.last_evicted().empty());
  cache.insert(100, 250);
  EXPECT_EQ(cache.last_evicted().size(), 3u);  // 3 x 100 bytes make room for 250
  EXPECT_EQ(policy->used_bytes(), 950u);
  EXPECT_TRUE(cache.resident(100));
}

TEST_P(EveryPolicy, ObjectLargerThanTheBudgetIsRejectedAlone) {
  auto policy = GetParam()(1'000);
  Residency cache(*policy);
  cache.insert(1, 400);
  cache.insert(2, 1'001);
  EXPECT_EQ(cache.last_evicted(), std::vector<Key>{2});
  EXPECT_EQ(policy->used_bytes(), 400u);
  EXPECT_EQ(policy->size(), 1u);
  cache.insert(3, 1'000);  // exactly the budget fits, after evicting everything else
  EXPECT_EQ(cache.last_evicted(), std::vector<Key>{1});
  EXPECT_EQ(policy->used_bytes(), 1'000u);
}

TEST_P(EveryPolicy, EraseReleasesBytesAndUnknownKeysAreIgnored) {
  auto policy = GetParam()(1'000);
  Residency cache(*policy);
  cache.insert(1, 300);
  cache.insert(2, 300);
  cache.erase(1);
  EXPECT_EQ(policy->used_bytes(), 300u);
  EXPECT_EQ(policy->size(), 1u);
  policy->erase(42);
  policy->on_hit(42);
  EXPECT_EQ(policy->used_bytes(), 300u);
  cache.insert(1, 700);  // fits without evicting 2
  EXPECT_TRUE(cache.last_evicted().empty());
  EXPECT_EQ(policy->used_bytes(), 1'000u);
}

TEST_P(EveryPolicy, ReinsertingAResidentKeyReplacesIt) {
  auto policy = GetParam()(1'000);
  Residency cache(*policy);
  cache.insert(1, 300);
  cache.insert(1, 500);
  EXPECT_EQ(policy->used_bytes(), 500u);
  EXPECT_EQ(policy->size(), 1u);
}

TEST_P(EveryPolicy, BookkeepingStaysCompact) {
  auto policy = GetParam()(1'000'000);
  Residency cache(*policy);
  for (Key k = 0; k < 100'000; ++k) cache.insert(k * 0x10001, 10);
  ASSERT_EQ(policy->size(), 100'000u);
  // A record (32 bytes) plus its index share; vector doubling may leave up to 2x spare.
  EXPECT_LT(policy->memory_bytes() / policy->size(), 100u);
}

INSTANTIATE_TEST_SUITE_P(Eviction, EveryPolicy, ::testing::Values(&make_s3fifo, &make_lru),
                         [](const auto& info) { return info.index == 0 ? "S3Fifo" : "Lru"; });

// A hot set that is requested often survives a long one-time scan under S3-FIFO; under LRU
// the same scan flushes it (so the test can tell the two apart).
TEST(S3Fifo, OneTimeScanDoesNotFlushTheHotSet) {
  for (bool s3fifo : {true, false}) {
    auto policy = s3fifo ? make_s3fifo(1'000) : make_lru(1'000);
    Residency cache(*policy);
    for (int round = 0; round < 5; ++round) {
      for (Key hot = 0; hot < 100; ++hot) cache.request(hot, 1);
    }
    for (Key scan = 1'000; scan < 11'000; ++scan) cache.request(scan, 1);
    int hot_resident = 0;
    for (Key hot = 0; hot < 100; ++hot) hot_resident += cache.resident(hot);
    if (s3fifo) {
      EXPECT_EQ(hot_resident, 100);
    } else {
      EXPECT_EQ(hot_resident, 0);
    }
  }
}

TEST(S3Fifo, NewObjectsEnterSmallAndHitOnesMoveToMain) {
  S3FifoPolicy policy(1'000);  // small FIFO: 100 bytes
  std::vector<Key> evicted;
  policy.insert(1, 50, evicted);
  policy.insert(2, 50, evicted);
  policy.on_hit(1);
  EXPECT_FALSE(policy.in_main(1));
  // Small may hold everything until the budget is full; eviction starts at the 21st object.
  for (Key k = 10; k < 28; ++k) policy.insert(k, 50, evicted);
  EXPECT_FALSE(policy.in_main(1));
  ASSERT_TRUE(evicted.empty());
  policy.insert(28, 50, evicted);
  EXPECT_TRUE(policy.in_main(1));           // promoted when it reached the small tail
  EXPECT_EQ(evicted, std::vector<Key>{2});  // never hit: left from small
}

TEST(S3Fifo, AKeyEvictedFromSmallReturnsStraightToMain) {
  S3FifoPolicy policy(1'000);
  std::vector<Key> evicted;
  for (Key k = 0; k < 11; ++k) policy.insert(k, 100, evicted);
  ASSERT_EQ(evicted, std::vector<Key>{0});
  EXPECT_EQ(policy.ghost_size(), 1u);
  evicted.clear();
  policy.insert(0, 100, evicted);
  EXPECT_TRUE(policy.in_main(0));
  EXPECT_EQ(policy.ghost_size(), 1u);  // 0 left the ghost, the object evicted for it entered
  EXPECT_FALSE(policy.in_main(11));
}

TEST(S3Fifo, GhostIsBoundedByTheMainBudget) {
  S3FifoPolicy policy(1'000);  // main: 900 bytes, so at most 90 ghosts of 10 bytes
  std::vector<Key> evicted;
  for (Key k = 0; k < 10'000; ++k) policy.insert(k, 10, evicted);
  EXPECT_EQ(policy.ghost_size(), 90u);
  EXPECT_EQ(policy.size(), 100u);
}

TEST(S3Fifo, MainReinsertsObjectsHitSinceTheirLastPass) {
  S3FifoPolicy policy(1'000);
  std::vector<Key> evicted;
  // 0..8 are hit while in small, so the first eviction moves them all to main (900 bytes).
  for (Key k = 0; k < 9; ++k) {
    policy.insert(k, 100, evicted);
    policy.on_hit(k);
  }
  policy.insert(9, 100, evicted);
  policy.insert(10, 100, evicted);
  ASSERT_EQ(evicted, std::vector<Key>{9});
  for (Key k = 0; k < 9; ++k) ASSERT_TRUE(policy.in_main(k)) << k;
  policy.on_hit(0);  // the oldest in main, but hit: it gets another pass
  evicted.clear();
  policy.insert(11, 100, evicted);  // small holds only its share: main evicts
  EXPECT_EQ(evicted, std::vector<Key>{1});
  EXPECT_TRUE(policy.in_main(0));
}

}  // namespace
}  // namespace edgefront::cache
