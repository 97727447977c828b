#include "upstream/load_balancer.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "upstream/inflight.h"

namespace edgefront::upstream {
namespace {

using LB = config::OriginGroup::LoadBalancing;

std::vector<LbMember> members(std::vector<int> weights) {
  static const char* kIds[] = {"a", "b", "c", "d"};
  std::vector<LbMember> out;
  for (size_t i = 0; i < weights.size(); ++i) out.push_back({kIds[i], true, weights[i], 0, 0});
  return out;
}

TEST(WeightedRoundRobin, ExactSharesOverACycle) {
  auto m = members({3, 1, 2});
  std::vector<int> seen(3);
  for (uint64_t t = 0; t < 600; ++t) ++seen[*pick_weighted_round_robin(m, t)];
  EXPECT_EQ(seen, (std::vector<int>{300, 100, 200}));
}

TEST(WeightedRoundRobin, SkipsIneligibleAndEmpty) {
  auto m = members({1, 1, 1});
  m[1].eligible = false;
  std::vector<int> seen(3);
  for (uint64_t t = 0; t < 100; ++t) ++seen[*pick_weighted_round_robin(m, t)];
  EXPECT_EQ(seen, (std::vector<int>{50, 0, 50}));
  for (auto& x : m) x.eligible = false;
  EXPECT_EQ(pick_weighted_round_robin(m, 0), std::nullopt);
}

TEST(LeastRequest, PrefersTheLessLoadedOfTwo) {
  auto m = members({1, 1});
  m[0].in_flight = 10;
  m[1].in_flight = 1;
  for (uint64_t r = 0; r < 20; ++r) EXPECT_EQ(pick_least_request(m, r, r * 7), 1u);
  m[0].weight = 20;  // weighted: 10/20 < 1/1
  for (uint64_t r = 0; r < 20; ++r) EXPECT_EQ(pick_least_request(m, r, r * 7), 0u);
}

TEST(LeastRequest, EvenLoadSpreadsEvenly) {
  auto m = members({1, 1, 1, 1});
  std::mt19937_64 rng(42);
  std::vector<int> seen(4);
  for (int i = 0; i < 40000; ++i) ++seen[*pick_least_request(m, rng(), rng())];
  for (int n : seen) EXPECT_NEAR(n, 10000, 500);
}

TEST(LeastRequest, OneEligible) {
  auto m = members({1, 1});
  m[0].eligible = false;
  EXPECT_EQ(pick_least_request(m, 5, 9), 1u);
  m[1].eligible = false;
  EXPECT_EQ(pick_least_request(m, 5, 9), std::nullopt);
}

TEST(ConsistentHash, StableAndWeighted) {
  auto m = members({1, 1, 2});
  std::vector<int> seen(3);
  std::map<std::string, size_t> first;
  for (int i = 0; i < 40000; ++i) {
    std::string key = "/object/" + std::to_string(i);
    size_t pick = *pick_consistent_hash(m, key);
    ++seen[pick];
    first[key] = pick;
    EXPECT_EQ(*pick_consistent_hash(m, key), pick);  // same key, same member
  }
  // Shares follow the weights 1:1:2 within 3%.
  EXPECT_NEAR(seen[0], 10000, 1200);
  EXPECT_NEAR(seen[1], 10000, 1200);
  EXPECT_NEAR(seen[2], 20000, 1200);
  // Only the keys of a member that leaves move.
  m[1].eligible = false;
  for (const auto& [key, pick] : first) {
    size_t now = *pick_consistent_hash(m, key);
    if (pick != 1) {
      EXPECT_EQ(now, pick) << key;
    }
    EXPECT_NE(now, 1u);
  }
}

TEST(Ewma, PrefersFasterAndSamplesUnknown) {
  auto m = members({1, 1});
  m[0].latency_us = 5000;
  m[1].latency_us = 1000;
  for (uint64_t r = 0; r < 20; ++r) EXPECT_EQ(pick_ewma(m, r, r + 3), 1u);
  m[1].in_flight = 9;  // 1000 x 10 > 5000 x 1
  for (uint64_t r = 0; r < 20; ++r) EXPECT_EQ(pick_ewma(m, r, r + 3), 0u);
  m[0].latency_us = 0;  // no sample yet: it gets the request
  m[1].in_flight = 0;
  for (uint64_t r = 0; r < 20; ++r) EXPECT_EQ(pick_ewma(m, r, r + 3), 0u);
}

TEST(PickMember, PriorityTakesTheFirstEligible) {
  auto m = members({1, 1, 1});
  EXPECT_EQ(pick_member(LB::kPriority, m, "/", 7, 1, 2), 0u);
  m[0].eligible = false;
  EXPECT_EQ(pick_member(LB::kPriority, m, "/", 7, 1, 2), 1u);
  EXPECT_EQ(pick_member(LB::kWeightedRoundRobin, m, "/", 1, 1, 2), 2u);
}

TEST(Inflight, LimitAndRelease) {
  InflightCounter c;
  InflightSlot a = InflightSlot::acquire(c, 2);
  InflightSlot b = InflightSlot::acquire(c, 2);
  EXPECT_TRUE(a && b);
  EXPECT_FALSE(InflightSlot::acquire(c, 2));
  EXPECT_EQ(c.current(), 2u);
  {
    InflightSlot moved = std::move(a);
    EXPECT_FALSE(a);
    EXPECT_EQ(c.current(), 2u);
  }
  EXPECT_EQ(c.current(), 1u);
  EXPECT_TRUE(InflightSlot::acquire(c, 2));  // released at once (temporary)
  EXPECT_EQ(c.current(), 1u);
  InflightSlot unlimited = InflightSlot::acquire(c, 0);
  EXPECT_TRUE(unlimited);
  EXPECT_EQ(c.current(), 2u);
}

}  // namespace
}  // namespace edgefront::upstream
