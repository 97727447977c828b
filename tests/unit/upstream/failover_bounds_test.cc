#include "upstream/failover_bounds.h"

#include <gtest/gtest.h>

#include "upstream/connect_rtt.h"
#include "upstream/retry_budget.h"

namespace edgefront::upstream {
namespace {

using std::chrono::microseconds;
using Ms = config::Duration;

TEST(FailoverBudget, UnboundedByDefault) {
  config::FailoverBounds b;
  EXPECT_EQ(failover_budget_check(1000, Ms(3'600'000), b), FailoverStop::kNone);
}

TEST(FailoverBudget, AttemptsAndTime) {
  config::FailoverBounds b;
  b.max_attempts = 3;
  b.max_time = Ms(2000);
  EXPECT_EQ(failover_budget_check(1, Ms(0), b), FailoverStop::kNone);
  EXPECT_EQ(failover_budget_check(2, Ms(1999), b), FailoverStop::kNone);
  EXPECT_EQ(failover_budget_check(3, Ms(0), b), FailoverStop::kAttempts);
  EXPECT_EQ(failover_budget_check(2, Ms(2000), b), FailoverStop::kTime);
  EXPECT_STREQ(failover_stop_name(FailoverStop::kRetryBudget), "retry_budget");
}

TEST(FailoverBudget, CapByRemaining) {
  config::FailoverBounds b;
  EXPECT_EQ(cap_by_remaining(Ms(1000), Ms(5000), b), Ms(1000));  // no max_time
  b.max_time = Ms(2000);
  EXPECT_EQ(cap_by_remaining(Ms(1000), Ms(0), b), Ms(1000));
  EXPECT_EQ(cap_by_remaining(Ms(1000), Ms(1500), b), Ms(500));
  EXPECT_EQ(cap_by_remaining(Ms(1000), Ms(2500), b), Ms(1));  // spent: the least possible
}

TEST(AdaptedConnectTimeout, OffOrNoSampleKeepsTheConfiguredTimeout) {
  config::FailoverBounds b;  // adaptive by default
  EXPECT_EQ(adapted_connect_timeout(Ms(10000), std::nullopt, b), Ms(10000));
  b.adaptive_connect = false;  // CloudFront-exact
  EXPECT_EQ(adapted_connect_timeout(Ms(10000), microseconds(1000), b), Ms(10000));
}

TEST(AdaptedConnectTimeout, MultiplierFloorAndCeiling) {
  config::FailoverBounds b;
  b.adaptive_connect = true;
  b.connect_floor = Ms(100);
  b.connect_multiplier = 4;
  EXPECT_EQ(adapted_connect_timeout(Ms(10000), microseconds(50), b), Ms(100));       // floor
  EXPECT_EQ(adapted_connect_timeout(Ms(10000), microseconds(80'000), b), Ms(320));   // 4x
  EXPECT_EQ(adapted_connect_timeout(Ms(10000), microseconds(80'001), b), Ms(321));   // rounds up
  EXPECT_EQ(adapted_connect_timeout(Ms(1000), microseconds(900'000), b), Ms(1000));  // ceiling
}

TEST(RetryAllowed, PercentAndMinimum) {
  EXPECT_TRUE(retry_allowed(0, 0, 20, 3));  // the minimum always
  EXPECT_TRUE(retry_allowed(0, 2, 20, 3));
  EXPECT_FALSE(retry_allowed(0, 3, 20, 3));
  EXPECT_TRUE(retry_allowed(100, 19, 20, 0));  // 19% < 20%
  EXPECT_FALSE(retry_allowed(100, 20, 20, 0));
  EXPECT_FALSE(retry_allowed(100, 0, 0, 0));  // 0% with no minimum: never
}

TEST(RetryAfter, SecondsAndDates) {
  SystemTime now = SystemTime{std::chrono::seconds(1'700'000'000)};
  EXPECT_EQ(parse_retry_after("120", now), Ms(120'000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), Ms(0));
  EXPECT_EQ(parse_retry_after("99999999999999999999", now), std::nullopt);  // overflow
  EXPECT_EQ(parse_retry_after("1000000", now), Ms(86'400'000));             // capped at a day
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("5s", now), std::nullopt);
  // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT.
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now), Ms(30'000));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), Ms(0));  // past
  EXPECT_EQ(parse_retry_after("Tuesday soon", now), std::nullopt);
}

TEST(ConnectRtt, SmoothsAndBacksOff) {
  ConnectRtt rtt;
  EXPECT_EQ(rtt.smoothed(), std::nullopt);
  rtt.record_timeout(microseconds(100'000), 4);  // no estimate yet: nothing to loosen
  EXPECT_EQ(rtt.smoothed(), std::nullopt);
  rtt.record(microseconds(800));
  EXPECT_EQ(rtt.smoothed(), microseconds(800));
  rtt.record(microseconds(1600));
  EXPECT_EQ(rtt.smoothed(), microseconds(900));  // 800 + (1600 - 800) / 8
  // A timeout after 4 x 900 us: the next adapted timeout is twice that.
  rtt.record_timeout(microseconds(3600), 4);
  EXPECT_EQ(rtt.smoothed(), microseconds(1800));
  rtt.record_timeout(microseconds(100'000'000), 1);
  EXPECT_EQ(rtt.smoothed(), microseconds(60'000'000));  // capped
}

// A black hole under load: many connects that used the same timeout expire together. They
// double the estimate once, not once each (which would reach the configured 10 s at once).
TEST(ConnectRtt, ConcurrentTimeoutsDoubleOnce) {
  ConnectRtt rtt;
  rtt.record(microseconds(200));
  for (int i = 0; i < 50; ++i) rtt.record_timeout(microseconds(100'000), 4);  // the floor
  EXPECT_EQ(rtt.smoothed(), microseconds(50'000));  // next timeout 4 x 50 ms = 200 ms
  for (int i = 0; i < 50; ++i) rtt.record_timeout(microseconds(200'000), 4);
  EXPECT_EQ(rtt.smoothed(), microseconds(100'000));
  rtt.record_timeout(microseconds(100'000), 4);  // a straggler of the first wave
  EXPECT_EQ(rtt.smoothed(), microseconds(100'000));
}

TEST(RetryBudget, WindowedShare) {
  config::FailoverBounds b;
  b.retry_budget_percent = 20;
  b.retry_budget_min = 1;
  b.retry_budget_window = Ms(10'000);
  RetryBudget budget;
  SteadyTime t0{std::chrono::seconds(1000)};
  // One retry is always allowed (the minimum), then 20% of the attempts.
  EXPECT_TRUE(budget.try_retry(t0, b));
  EXPECT_FALSE(budget.try_retry(t0, b));
  for (int i = 0; i < 10; ++i) budget.record_attempt(t0);
  EXPECT_TRUE(budget.try_retry(t0, b));                             // 1 retry of 10 attempts
  EXPECT_FALSE(budget.try_retry(t0 + std::chrono::seconds(1), b));  // 2 of 10 = 20%
  EXPECT_EQ(budget.totals(t0, b.retry_budget_window).retries, 2u);
  // Once the window has passed, the old counts no longer weigh.
  SteadyTime later = t0 + std::chrono::seconds(10);
  EXPECT_EQ(budget.totals(later, b.retry_budget_window).attempts, 0u);
  EXPECT_TRUE(budget.try_retry(later, b));
}

TEST(RetryBudget, BucketsAreReusedAcrossWindows) {
  config::FailoverBounds b;
  b.retry_budget_percent = 50;
  b.retry_budget_min = 0;
  b.retry_budget_window = Ms(2000);
  RetryBudget budget;
  SteadyTime t0{std::chrono::seconds(5)};
  for (int i = 0; i < 4; ++i) budget.record_attempt(t0);
  // 60 s later the same bucket slot is reused: the old counts are gone.
  SteadyTime wrapped = t0 + std::chrono::seconds(RetryBudget::kMaxWindowSeconds);
  budget.record_attempt(wrapped);
  EXPECT_EQ(budget.totals(wrapped, b.retry_budget_window).attempts, 1u);
}

}  // namespace
}  // namespace edgefront::upstream

namespace edgefront::upstream {
namespace {

TEST(FailOverUnsent, OnlyWhenConfiguredAndNothingWasSent) {
  config::FailoverBounds b;
  using http::Method;
  EXPECT_FALSE(may_fail_over_unsent(Method::kPost, AttemptOutcome::kConnectFailed, true, b));
  b.retry_non_idempotent = true;
  EXPECT_TRUE(may_fail_over_unsent(Method::kPost, AttemptOutcome::kConnectFailed, true, b));
  EXPECT_TRUE(may_fail_over_unsent(Method::kPut, AttemptOutcome::kConnectTimeout, true, b));
  EXPECT_TRUE(may_fail_over_unsent(Method::kDelete, AttemptOutcome::kConnectFailed, true, b));
  // The request went out: never again.
  EXPECT_FALSE(may_fail_over_unsent(Method::kPost, AttemptOutcome::kReadTimeout, true, b));
  EXPECT_FALSE(may_fail_over_unsent(Method::kPost, AttemptOutcome::kOriginClosed, true, b));
  EXPECT_FALSE(may_fail_over_unsent(Method::kPost, AttemptOutcome::kResponse, true, b));
  // No next member, or a method the ordinary rules already handle.
  EXPECT_FALSE(may_fail_over_unsent(Method::kPost, AttemptOutcome::kConnectFailed, false, b));
  EXPECT_FALSE(may_fail_over_unsent(Method::kGet, AttemptOutcome::kConnectFailed, true, b));
}

}  // namespace
}  // namespace edgefront::upstream
