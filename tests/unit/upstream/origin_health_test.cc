// Origin health: active-check thresholds, passive ejection with doubling backoff and its decay,
// the group cap, and one ejection per threshold crossing under concurrent workers. Time is
// explicit: no test sleeps.
#include "upstream/origin_health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace edgefront::upstream {
namespace {

using namespace std::chrono_literals;

const SteadyTime kT0 = SteadyTime{} + 1000s;

config::HealthCheck check(int healthy, int unhealthy) {
  config::HealthCheck c;
  c.enabled = true;
  c.healthy_threshold = healthy;
  c.unhealthy_threshold = unhealthy;
  return c;
}

config::OutlierDetection policy(int failures = 3, config::Duration base = 10s,
                                config::Duration max = 300s) {
  config::OutlierDetection p;
  p.consecutive_failures = failures;
  p.base_ejection = base;
  p.max_ejection = max;
  return p;
}

// Fails `n` times at `now`; returns how many of them ejected.
int fail(OriginHealth& h, SteadyTime now, const config::OutlierDetection& p, int n,
         bool may_eject = true) {
  int ejections = 0;
  for (int i = 0; i < n; ++i) ejections += h.record_failure(now, p, may_eject) ? 1 : 0;
  return ejections;
}

// --- HealthCheckState ---

TEST(HealthCheckStateTest, StartsHealthy) {
  HealthCheckState s;
  EXPECT_TRUE(s.healthy());
  EXPECT_EQ(s.consecutive_ok(), 0);
  EXPECT_EQ(s.consecutive_failed(), 0);
}

TEST(HealthCheckStateTest, TurnsUnhealthyAfterThresholdFailures) {
  HealthCheckState s;
  const config::HealthCheck c = check(2, 3);
  EXPECT_FALSE(s.observe(false, c));
  EXPECT_FALSE(s.observe(false, c));
  EXPECT_TRUE(s.healthy());
  EXPECT_EQ(s.consecutive_failed(), 2);
  EXPECT_TRUE(s.observe(false, c));
  EXPECT_FALSE(s.healthy());
  EXPECT_FALSE(s.observe(false, c));  // stays unhealthy: no change reported
  EXPECT_FALSE(s.healthy());
}

TEST(HealthCheckStateTest, TurnsHealthyAfterThresholdSuccesses) {
  HealthCheckState s;
  const config::HealthCheck c = check(2, 1);
  EXPECT_TRUE(s.observe(false, c));
  EXPECT_FALSE(s.healthy());
  EXPECT_FALSE(s.observe(true, c));
  EXPECT_FALSE(s.healthy());
  EXPECT_EQ(s.consecutive_ok(), 1);
  EXPECT_TRUE(s.observe(true, c));
  EXPECT_TRUE(s.healthy());
  EXPECT_FALSE(s.observe(true, c));
  EXPECT_TRUE(s.healthy());
}

TEST(HealthCheckStateTest, ThresholdOfOneFlipsOnEachProbe) {
  HealthCheckState s;
  const config::HealthCheck c = check(1, 1);
  EXPECT_TRUE(s.observe(false, c));
  EXPECT_FALSE(s.healthy());
  EXPECT_TRUE(s.observe(true, c));
  EXPECT_TRUE(s.healthy());
}

TEST(HealthCheckStateTest, FlappingNeverReachesEitherThreshold) {
  HealthCheckState s;
  const config::HealthCheck c = check(2, 2);
  // ok/fail alternating: each result resets the other run, so a healthy origin stays healthy.
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(s.observe(i % 2 == 0, c)) << i;
  EXPECT_TRUE(s.healthy());
  // The loop ended on a failure: one more makes two in a row, and it turns unhealthy.
  EXPECT_EQ(s.consecutive_failed(), 1);
  EXPECT_TRUE(s.observe(false, c));
  EXPECT_FALSE(s.healthy());
  // Flapping again: it stays unhealthy.
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(s.observe(i % 2 == 0, c)) << i;
  EXPECT_FALSE(s.healthy());
}

TEST(HealthCheckStateTest, ARunIsResetByTheOppositeResult) {
  HealthCheckState s;
  const config::HealthCheck c = check(3, 3);
  s.observe(false, c);
  s.observe(false, c);
  s.observe(true, c);  // breaks the run of failures
  EXPECT_EQ(s.consecutive_failed(), 0);
  EXPECT_EQ(s.consecutive_ok(), 1);
  s.observe(false, c);
  s.observe(false, c);
  EXPECT_TRUE(s.healthy());
  EXPECT_TRUE(s.observe(false, c));
  EXPECT_FALSE(s.healthy());
}

// --- OriginHealth: active verdict ---

TEST(OriginHealthTest, StartsAvailable) {
  OriginHealth h;
  EXPECT_TRUE(h.available(kT0));
  EXPECT_FALSE(h.ejected(kT0));
  HealthView v = h.view(kT0);
  EXPECT_TRUE(v.active_healthy);
  EXPECT_FALSE(v.ejected);
  EXPECT_EQ(v.ejected_for_ms, 0);
  EXPECT_EQ(v.ejections, 0u);
  EXPECT_EQ(v.consecutive_failures, 0u);
}

TEST(OriginHealthTest, ActiveVerdictControlsAvailability) {
  OriginHealth h;
  h.set_active_healthy(false);
  EXPECT_FALSE(h.available(kT0));
  EXPECT_FALSE(h.view(kT0).active_healthy);
  EXPECT_FALSE(h.ejected(kT0));
  h.set_active_healthy(true);
  EXPECT_TRUE(h.available(kT0));
}

// --- OriginHealth: ejection ---

TEST(OriginHealthTest, EjectsAtThresholdAndExpires) {
  OriginHealth h;
  const config::OutlierDetection p = policy(3, 10s);
  EXPECT_FALSE(h.record_failure(kT0, p, true));
  EXPECT_FALSE(h.record_failure(kT0, p, true));
  EXPECT_EQ(h.view(kT0).consecutive_failures, 2u);
  EXPECT_TRUE(h.available(kT0));
  EXPECT_TRUE(h.record_failure(kT0, p, true));

  HealthView v = h.view(kT0);
  EXPECT_TRUE(v.ejected);
  EXPECT_EQ(v.ejected_for_ms, 10000);
  EXPECT_EQ(v.ejections, 1u);
  EXPECT_EQ(v.consecutive_failures, 0u);  // reset by the ejection
  EXPECT_FALSE(h.available(kT0));
  EXPECT_TRUE(h.ejected(kT0 + 10s - 1ns));
  EXPECT_EQ(h.view(kT0 + 4s).ejected_for_ms, 6000);
  EXPECT_EQ(h.view(kT0 + 10s - 1ns).ejected_for_ms, 1);  // rounded up while ejected
  EXPECT_FALSE(h.ejected(kT0 + 10s));
  EXPECT_TRUE(h.available(kT0 + 10s));
  EXPECT_EQ(h.view(kT0 + 10s).ejected_for_ms, 0);
}

TEST(OriginHealthTest, SuccessResetsTheRun) {
  OriginHealth h;
  const config::OutlierDetection p = policy(3);
  EXPECT_EQ(fail(h, kT0, p, 2), 0);
  h.record_success();
  EXPECT_EQ(h.view(kT0).consecutive_failures, 0u);
  EXPECT_EQ(fail(h, kT0, p, 2), 0);
  EXPECT_TRUE(h.available(kT0));
  EXPECT_EQ(fail(h, kT0, p, 1), 1);
}

TEST(OriginHealthTest, NoEjectionWhenDisabledOrCapped) {
  config::OutlierDetection off = policy(1);
  off.enabled = false;
  OriginHealth a;
  EXPECT_EQ(fail(a, kT0, off, 10), 0);
  EXPECT_EQ(a.view(kT0).consecutive_failures, 10u);  // still counted
  EXPECT_TRUE(a.available(kT0));

  OriginHealth b;
  EXPECT_EQ(fail(b, kT0, policy(2), 5, /*may_eject=*/false), 0);
  EXPECT_TRUE(b.available(kT0));
  // Once the cap allows it, the next failure ejects at once (the run is already long enough).
  EXPECT_TRUE(b.record_failure(kT0, policy(2), true));
}

TEST(OriginHealthTest, FailuresWhileEjectedDoNotExtendTheEjection) {
  OriginHealth h;
  const config::OutlierDetection p = policy(2, 10s);
  EXPECT_EQ(fail(h, kT0, p, 2), 1);
  EXPECT_EQ(fail(h, kT0 + 5s, p, 10), 0);
  EXPECT_EQ(h.view(kT0 + 5s).ejected_for_ms, 5000);
  EXPECT_EQ(h.view(kT0 + 5s).ejections, 1u);
}

TEST(OriginHealthTest, FailuresWhileEjectedCountTowardsTheNextEjection) {
  OriginHealth h;
  const config::OutlierDetection p = policy(3, 10s);
  EXPECT_EQ(fail(h, kT0, p, 3), 1);
  EXPECT_EQ(fail(h, kT0 + 1s, p, 3), 0);  // in-flight requests failing during the ejection
  // The first failure after expiry ejects again, for twice as long.
  EXPECT_TRUE(h.record_failure(kT0 + 10s, p, true));
  EXPECT_EQ(h.view(kT0 + 10s).ejected_for_ms, 20000);
}

TEST(OriginHealthTest, RepeatedEjectionsDoubleUpToTheCap) {
  OriginHealth h;
  const config::OutlierDetection p = policy(1, 10s, 60s);
  SteadyTime t = kT0;
  const int64_t expected_ms[] = {10000, 20000, 40000, 60000, 60000, 60000};
  for (size_t i = 0; i < std::size(expected_ms); ++i) {
    ASSERT_TRUE(h.record_failure(t, p, true)) << i;
    HealthView v = h.view(t);
    EXPECT_EQ(v.ejections, i + 1);
    EXPECT_EQ(v.ejected_for_ms, expected_ms[i]) << i;
    t += std::chrono::milliseconds(expected_ms[i]);  // fails again the moment it comes back
  }
}

TEST(OriginHealthTest, SuccessDoesNotResetTheBackoff) {
  OriginHealth h;
  const config::OutlierDetection p = policy(1, 10s, 300s);
  ASSERT_TRUE(h.record_failure(kT0, p, true));
  h.record_success();
  h.record_success();
  // Back after 10 s, a few successes, then a failure soon after: the backoff keeps doubling.
  ASSERT_TRUE(h.record_failure(kT0 + 15s, p, true));
  EXPECT_EQ(h.view(kT0 + 15s).ejected_for_ms, 20000);
  EXPECT_EQ(h.view(kT0 + 15s).ejections, 2u);
}

// The decay rule: the level drops by one per full max_ejection after the last ejection ended.
TEST(OriginHealthTest, BackoffDecaysByOnePerQuietMaxEjection) {
  const config::OutlierDetection p = policy(1, 10s, 60s);
  // Build level 3: ejections of 10 s, 20 s, 40 s back to back; the last one ends at +70 s.
  auto level3 = [&](OriginHealth& h) {
    SteadyTime t = kT0;
    for (auto d : {10s, 20s, 40s}) {
      EXPECT_TRUE(h.record_failure(t, p, true));
      t += d;
    }
    EXPECT_EQ(h.view(t).ejections, 3u);
    return t;  // the end of the third ejection
  };
  struct Case {
    std::chrono::nanoseconds quiet;
    uint32_t level;      // level of the next ejection
    int64_t ejected_ms;  // its length
  };
  const Case cases[] = {
      {0s, 4, 60000},         // straight away: doubles (capped at 60 s)
      {60s - 1ns, 4, 60000},  // not quite one quiet period
      {60s, 3, 40000},        // one period: decays to 2, then +1
      {119s, 3, 40000},       //
      {120s, 2, 20000},       // two periods
      {180s, 1, 10000},       // three: back to the base
      {3600s, 1, 10000},      // long gone: never below the base
  };
  for (const Case& c : cases) {
    OriginHealth h;
    SteadyTime end = level3(h);
    SteadyTime t = end + c.quiet;
    h.record_success();
    ASSERT_TRUE(h.record_failure(t, p, true)) << c.quiet.count();
    EXPECT_EQ(h.view(t).ejections, c.level) << c.quiet.count();
    EXPECT_EQ(h.view(t).ejected_for_ms, c.ejected_ms) << c.quiet.count();
  }
}

TEST(OriginHealthTest, EjectionTime) {
  const config::OutlierDetection p = policy(5, 10s, 300s);
  EXPECT_EQ(OriginHealth::ejection_time(0, p), 10s);  // treated as the first
  EXPECT_EQ(OriginHealth::ejection_time(1, p), 10s);
  EXPECT_EQ(OriginHealth::ejection_time(2, p), 20s);
  EXPECT_EQ(OriginHealth::ejection_time(3, p), 40s);
  EXPECT_EQ(OriginHealth::ejection_time(5, p), 160s);
  EXPECT_EQ(OriginHealth::ejection_time(6, p), 300s);
  EXPECT_EQ(OriginHealth::ejection_time(40, p), 300s);
  EXPECT_EQ(OriginHealth::ejection_time(63, p), 300s);
  EXPECT_EQ(OriginHealth::ejection_time(64, p), 300s);
  EXPECT_EQ(OriginHealth::ejection_time(1000, p), 300s);
  EXPECT_EQ(OriginHealth::ejection_time(UINT32_MAX, p), 300s);
  // Largest allowed values: 1 h base, 24 h cap.
  const config::OutlierDetection big = policy(5, std::chrono::hours(1), std::chrono::hours(24));
  EXPECT_EQ(OriginHealth::ejection_time(5, big), std::chrono::hours(16));
  EXPECT_EQ(OriginHealth::ejection_time(6, big), std::chrono::hours(24));
  EXPECT_EQ(OriginHealth::ejection_time(UINT32_MAX, big), std::chrono::hours(24));
  // Base equal to the cap: never grows.
  EXPECT_EQ(OriginHealth::ejection_time(3, policy(5, 10s, 10s)), 10s);
}

// Four workers fail at once: the run crosses the threshold many times over, but the origin is
// ejected exactly once per crossing (and failures during the ejection do not eject again).
TEST(OriginHealthTest, ConcurrentFailuresEjectOncePerCrossing) {
  OriginHealth h;
  const config::OutlierDetection p = policy(5, 10s, 10s);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  SteadyTime t = kT0;
  for (int round = 0; round < 50; ++round) {
    std::atomic<int> ejections{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        for (int j = 0; j < kPerThread; ++j) {
          if (h.record_failure(t, p, true)) ejections.fetch_add(1);
        }
      });
    }
    go.store(true, std::memory_order_release);
    for (std::thread& th : threads) th.join();
    ASSERT_EQ(ejections.load(), 1) << "round " << round;
    ASSERT_TRUE(h.ejected(t));
    t += 10s;  // the ejection is over: the next round may eject again
  }
}

TEST(OriginHealthTest, ConcurrentFailuresAtTheThresholdEjectOnce) {
  // Exactly threshold failures spread over 4 threads: one of them ejects.
  for (int round = 0; round < 100; ++round) {
    OriginHealth h;
    const config::OutlierDetection p = policy(4);
    std::atomic<int> ejections{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&] {
        ready.fetch_add(1);
        while (ready.load() < 4) std::this_thread::yield();
        if (h.record_failure(kT0, p, true)) ejections.fetch_add(1);
      });
    }
    for (std::thread& th : threads) th.join();
    ASSERT_EQ(ejections.load(), 1) << "round " << round;
  }
}

// --- may_eject_another ---

struct CapCase {
  int ejected_now;
  int members;
  int percent;
  bool expected;
};

class MayEjectAnother : public ::testing::TestWithParam<CapCase> {};

TEST_P(MayEjectAnother, FollowsThePercentCap) {
  const CapCase& c = GetParam();
  EXPECT_EQ(may_eject_another(c.ejected_now, c.members, c.percent), c.expected)
      << c.ejected_now << " of " << c.members << " ejected, cap " << c.percent << "%";
}

INSTANTIATE_TEST_SUITE_P(Table, MayEjectAnother,
                         ::testing::Values(
                             // 2 members at 50%: one may go, not both.
                             CapCase{0, 2, 50, true}, CapCase{1, 2, 50, false},
                             // At least one always may, even when the share rounds to zero.
                             CapCase{0, 2, 10, true}, CapCase{0, 3, 1, true},
                             CapCase{0, 1, 50, true}, CapCase{1, 3, 1, false},
                             // Ordinary percentages.
                             CapCase{1, 3, 50, false}, CapCase{1, 4, 50, true},
                             CapCase{2, 4, 50, false}, CapCase{2, 3, 100, true},
                             CapCase{3, 3, 100, false}, CapCase{9, 10, 100, true},
                             CapCase{2, 10, 30, true}, CapCase{3, 10, 30, false},
                             // 0% never ejects; no members, nothing to eject.
                             CapCase{0, 2, 0, false}, CapCase{0, 100, 0, false},
                             CapCase{0, 0, 50, false}, CapCase{0, 0, 100, false},
                             // Large values do not overflow.
                             CapCase{1000000, 2000000, 100, true}));

}  // namespace
}  // namespace edgefront::upstream

namespace edgefront::upstream {
namespace {

TEST(OriginHealthRecoveryTest, ShareGrowsAcrossTheWindowAfterAnEjection) {
  OriginHealth h;
  config::OutlierDetection p = policy(2, 10s, 300s);
  p.recovery_window = 20s;
  EXPECT_EQ(h.admission_share(kT0, p), 1.0) << "never ejected";
  ASSERT_EQ(fail(h, kT0, p, 2), 1);
  EXPECT_EQ(h.admission_share(kT0 + 5s, p), 0.0) << "still ejected";
  EXPECT_DOUBLE_EQ(h.admission_share(kT0 + 10s, p), 0.1) << "floor right after the end";
  EXPECT_DOUBLE_EQ(h.admission_share(kT0 + 20s, p), 0.5);
  EXPECT_EQ(h.admission_share(kT0 + 30s, p), 1.0);
  p.recovery_window = 0s;
  EXPECT_EQ(h.admission_share(kT0 + 11s, p), 1.0) << "no window: full share at once";
}

TEST(OriginHealthRecoveryTest, OneFailureOnProbationEjectsAgainWithLongerBackoff) {
  OriginHealth h;
  config::OutlierDetection p = policy(3, 10s, 300s);
  p.recovery_window = 20s;
  ASSERT_EQ(fail(h, kT0, p, 3), 1);
  EXPECT_EQ(fail(h, kT0 + 12s, p, 1), 1) << "on probation, one failure is enough";
  HealthView v = h.view(kT0 + 12s);
  EXPECT_TRUE(v.ejected);
  EXPECT_EQ(v.ejections, 2u);
  EXPECT_EQ(v.ejected_for_ms, 20000) << "second ejection doubles";
  // Past the probation window the usual threshold applies again.
  SteadyTime later = kT0 + 12s + 20s + 20s;
  EXPECT_EQ(fail(h, later, p, 2), 0);
  EXPECT_EQ(fail(h, later, p, 1), 1);
}

}  // namespace
}  // namespace edgefront::upstream
