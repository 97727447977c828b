// Native YAML origin_groups[].failover: the per-request budget, adaptive connect timeout,
// retry budget and Retry-After handling. Defaults, a full block, and bad inputs with paths.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/loader.h"

namespace edgefront::config {
namespace {

const std::string kExamples = EDGEFRONT_SOURCE_DIR "/examples";

std::string config(const std::string& failover) {
  return "distributions:\n"
         "  - origins:\n"
         "      - {id: a, domain_name: 127.0.0.1}\n"
         "      - {id: b, domain_name: 127.0.0.2}\n"
         "    origin_groups:\n"
         "      - {id: g, members: [a, b], failover_status_codes: [429, 503]" +
         (failover.empty() ? "" : ", failover: " + failover) +
         "}\n"
         "    default_cache_behavior: {target_origin_id: g}\n";
}

LoadResult load(const std::string& failover) {
  return load_config_text(config(failover), kExamples + "/inline.yaml");
}

const FailoverBounds& bounds(const LoadResult& r) {
  return r.config.distributions.at(0).origin_groups.at(0).failover;
}

// Off by default, except the adaptive connect timeout (a black-holed member costs the floor,
// not ConnectionTimeout) and Retry-After.
TEST(FailoverBoundsConfig, OffByDefault) {
  LoadResult r = load("");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const FailoverBounds& b = bounds(r);
  EXPECT_EQ(b.max_attempts, 0);
  EXPECT_EQ(b.max_time, Duration(0));
  EXPECT_TRUE(b.adaptive_connect);
  EXPECT_EQ(b.connect_floor, Duration(100));
  EXPECT_EQ(b.retry_budget_percent, 0);
  EXPECT_TRUE(b.honor_retry_after);
  EXPECT_FALSE(b.retry_non_idempotent);
}

TEST(FailoverBoundsConfig, FullBlock) {
  LoadResult r = load(
      "{max_attempts: 3, max_time: 2s, honor_retry_after: false, retry_non_idempotent: true,"
      " adaptive_connect_timeout: {floor: 50ms, multiplier: 6},"
      " retry_budget: {percent: 20, min_retries: 5, window: 30s}}");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const FailoverBounds& b = bounds(r);
  EXPECT_EQ(b.max_attempts, 3);
  EXPECT_EQ(b.max_time, Duration(2000));
  EXPECT_FALSE(b.honor_retry_after);
  EXPECT_TRUE(b.retry_non_idempotent);
  EXPECT_TRUE(b.adaptive_connect);
  EXPECT_EQ(b.connect_floor, Duration(50));
  EXPECT_EQ(b.connect_multiplier, 6);
  EXPECT_EQ(b.retry_budget_percent, 20);
  EXPECT_EQ(b.retry_budget_min, 5);
  EXPECT_EQ(b.retry_budget_window, Duration(30000));
}

TEST(FailoverBoundsConfig, AdaptiveBlockCanBeDisabled) {
  LoadResult r = load("{adaptive_connect_timeout: {enabled: false, floor: 50ms}}");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_FALSE(bounds(r).adaptive_connect);
  EXPECT_EQ(bounds(r).connect_floor, Duration(50));
}

TEST(FailoverBoundsConfig, CloudFrontExactConnectTimeouts) {
  for (const char* off : {"{adaptive_connect_timeout: off}", "{adaptive_connect_timeout: false}"}) {
    LoadResult r = load(off);
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
    EXPECT_FALSE(bounds(r).adaptive_connect) << off;
  }
  LoadResult on = load("{adaptive_connect_timeout: on}");
  ASSERT_TRUE(on.ok()) << ::testing::PrintToString(on.problems.errors);
  EXPECT_TRUE(bounds(on).adaptive_connect);
  // selection: cloudfront is CloudFront-exact unless its failover block says otherwise.
  std::string text = config("");
  text.replace(text.find("failover_status_codes"), 0, "selection: cloudfront, ");
  LoadResult exact = load_config_text(text, kExamples + "/inline.yaml");
  ASSERT_TRUE(exact.ok()) << ::testing::PrintToString(exact.problems.errors);
  EXPECT_FALSE(bounds(exact).adaptive_connect);
}

TEST(FailoverBoundsConfig, BadInputsNameTheField) {
  const std::string p = "distributions[0].origin_groups[0].failover";
  struct Case {
    std::string block;
    std::string error;
  } cases[] = {
      {"{max_attempts: 0}", p + ".max_attempts: expected integer 1-100"},
      {"{max_time: 5ms}", p + ".max_time: expected duration 10ms-1h"},
      {"{retry_budget: {min_retries: 2}}", p + ".retry_budget.percent: required"},
      {"{retry_budget: {percent: 0}}", p + ".retry_budget.percent: expected integer 1-100"},
      {"{retry_budget: {percent: 10, window: 500ms}}",
       p + ".retry_budget.window: expected duration 1s-60s"},
      {"{adaptive_connect_timeout: {multiplier: 0}}",
       p + ".adaptive_connect_timeout.multiplier: expected integer 1-100"},
      {"{honor_retry_after: maybe}", p + ".honor_retry_after: expected boolean"},
  };
  for (const Case& c : cases) {
    LoadResult r = load(c.block);
    EXPECT_FALSE(r.ok()) << c.block;
    EXPECT_EQ(r.problems.errors, std::vector<std::string>{c.error}) << c.block;
  }
  LoadResult unknown = load("{max_attempt: 3}");
  ASSERT_EQ(unknown.problems.errors.size(), 1u);
  EXPECT_NE(unknown.problems.errors[0].find(p + ".max_attempt: unknown field"), std::string::npos);
}

}  // namespace
}  // namespace edgefront::config

namespace edgefront::config {
namespace {

TEST(LoadBalancingConfig, ModesWeightsAndLimits) {
  std::string text =
      "distributions:\n"
      "  - origins:\n"
      "      - {id: a, domain_name: 127.0.0.1, max_concurrent_requests: 100}\n"
      "      - {id: b, domain_name: 127.0.0.2}\n"
      "    origin_groups:\n"
      "      - {id: g, members: [a, b], failover_status_codes: [503],\n"
      "         load_balancing: weighted_round_robin, weights: {b: 3}}\n"
      "    default_cache_behavior: {target_origin_id: g}\n";
  LoadResult r = load_config_text(text, kExamples + "/inline.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const OriginGroup& g = r.config.distributions[0].origin_groups[0];
  EXPECT_EQ(g.load_balancing, OriginGroup::LoadBalancing::kWeightedRoundRobin);
  EXPECT_EQ(g.weights, (std::vector<int>{1, 3}));
  EXPECT_EQ(r.config.distributions[0].origins[0].max_concurrent_requests, 100);
  EXPECT_EQ(r.config.distributions[0].origins[1].max_concurrent_requests, 0);
}

TEST(LoadBalancingConfig, Errors) {
  auto load_group = [](const std::string& extra) {
    return load_config_text(
        "distributions:\n"
        "  - origins:\n"
        "      - {id: a, domain_name: 127.0.0.1}\n"
        "      - {id: b, domain_name: 127.0.0.2}\n"
        "    origin_groups:\n"
        "      - {id: g, members: [a, b], failover_status_codes: [503], " +
            extra +
            "}\n"
            "    default_cache_behavior: {target_origin_id: g}\n",
        kExamples + "/inline.yaml");
  };
  const std::string p = "distributions[0].origin_groups[0]";
  EXPECT_EQ(load_group("weights: {c: 2}").problems.errors,
            std::vector<std::string>{p + ".weights.c: not a member of this group"});
  EXPECT_EQ(load_group("weights: {a: 0}").problems.errors,
            std::vector<std::string>{p + ".weights.a: expected integer 1-1000"});
  EXPECT_EQ(
      load_group("selection: cloudfront, load_balancing: least_request").problems.errors,
      std::vector<std::string>{p + ".load_balancing: only allowed with selection: health-aware"});
  LoadResult bad_mode = load_group("load_balancing: random");
  ASSERT_EQ(bad_mode.problems.errors.size(), 1u);
  EXPECT_NE(bad_mode.problems.errors[0].find(p + ".load_balancing"), std::string::npos);
}

}  // namespace
}  // namespace edgefront::config
