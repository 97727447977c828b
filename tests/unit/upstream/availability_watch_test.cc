#include "upstream/availability_watch.h"

#include <gtest/gtest.h>

#include <chrono>

namespace edgefront::upstream {
namespace {

struct Counting final : AvailabilityWatch::Waiter {
  int woken = 0;
  void member_unavailable() override { ++woken; }
};

SteadyTime now() { return std::chrono::steady_clock::now(); }

TEST(AvailabilityWatch, WakesWaitersOfAnUnavailableMemberOnce) {
  asio::io_context io;
  AvailabilityWatch watch;
  OriginHealth primary, secondary;
  Counting a, b;
  {
    AvailabilityWatch::Registration ra(watch, io.get_executor(), primary, &secondary, a);
    AvailabilityWatch::Registration rb(watch, io.get_executor(), secondary, nullptr, b);
    EXPECT_EQ(watch.waiting(), 2u);
    watch.check(now());
    EXPECT_EQ(a.woken + b.woken, 0);  // everyone available
    primary.set_active_healthy(false);
    watch.check(now());
    watch.check(now());
    EXPECT_EQ(a.woken, 1);  // once
    EXPECT_EQ(b.woken, 0);
  }
  EXPECT_EQ(watch.waiting(), 0u);
}

TEST(AvailabilityWatch, StaysWhenTheAlternativeIsDownToo) {
  asio::io_context io;
  AvailabilityWatch watch;
  OriginHealth primary, secondary;
  Counting a, c;
  primary.set_active_healthy(false);
  secondary.set_active_healthy(false);
  AvailabilityWatch::Registration ra(watch, io.get_executor(), primary, &secondary, a);
  watch.check(now());
  EXPECT_EQ(a.woken, 0);  // moving on would not help
  secondary.set_active_healthy(true);
  watch.check(now());
  EXPECT_EQ(a.woken, 1);
  // Without an alternative (nothing after it), a waiter is woken regardless.
  AvailabilityWatch::Registration rc(watch, io.get_executor(), primary, nullptr, c);
  watch.check(now());
  EXPECT_EQ(c.woken, 1);
}

TEST(AvailabilityWatch, TheWorkersTimerChecksWhileSomeoneWaits) {
  asio::io_context io;
  AvailabilityWatch watch(std::chrono::milliseconds(5));
  OriginHealth primary;
  Counting a;
  AvailabilityWatch::Registration ra(watch, io.get_executor(), primary, nullptr, a);
  primary.set_active_healthy(false);
  const auto deadline = now() + std::chrono::seconds(20);
  while (a.woken == 0 && now() < deadline) io.run_for(std::chrono::milliseconds(10));
  EXPECT_EQ(a.woken, 1);
}

}  // namespace
}  // namespace edgefront::upstream
