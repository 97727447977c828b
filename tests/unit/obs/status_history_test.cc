#include "obs/status_history.h"

#include <gtest/gtest.h>

namespace edgefront::obs {
namespace {

using std::chrono::milliseconds;

TEST(BoundedLog, KeepsTheLastItems) {
  BoundedLog<int> log(3);
  for (int i = 1; i <= 5; ++i) log.push(i);
  EXPECT_EQ(std::vector<int>(log.items().begin(), log.items().end()), (std::vector<int>{3, 4, 5}));
}

TEST(HealthVerdict, Table) {
  struct Case {
    OriginHealthSample s;
    const char* verdict;
  };
  const Case cases[] = {
      {{true, false, true, 0}, "healthy"},
      {{false, true, true, 1}, "ejected"},
      {{false, false, false, 0}, "unhealthy"},
      {{false, true, false, 1}, "ejected"},  // ejection says more than the check
      {{false, false, true, 0}, "resting"},  // a Retry-After pause
  };
  for (const Case& c : cases) EXPECT_STREQ(health_verdict(c.s), c.verdict);
}

TEST(HealthEvents, Table) {
  const OriginHealthSample healthy{true, false, true, 0};
  const OriginHealthSample ejected{false, true, true, 1};
  const OriginHealthSample check_down{false, false, false, 0};
  struct Case {
    OriginHealthSample before, after;
    std::vector<std::string> events;
  };
  const Case cases[] = {
      {healthy, healthy, {}},
      {healthy, ejected, {"ejection"}},
      {ejected, ejected, {}},
      {ejected, {true, false, true, 1}, {"recovery"}},
      // Ejected and back between two samples: the counter still tells.
      {{true, false, true, 1}, {true, false, true, 2}, {"ejection"}},
      // Ejected again while still ejected (the backoff grew): a new ejection.
      {ejected, {false, true, true, 2}, {"ejection"}},
      {healthy, check_down, {"unhealthy"}},
      {check_down, healthy, {"recovery"}},
      {check_down, check_down, {}},
  };
  for (const Case& c : cases) {
    std::vector<const char*> got = health_events(c.before, c.after);
    EXPECT_EQ(std::vector<std::string>(got.begin(), got.end()), c.events);
  }
}

TEST(FailoverEpisodes, OneEventPerEpisode) {
  FailoverEpisodes episodes(milliseconds(5000));
  SteadyTime t0{};
  EXPECT_FALSE(episodes.note(7, t0));  // the first look only learns the total
  EXPECT_FALSE(episodes.note(7, t0 + milliseconds(500)));
  EXPECT_TRUE(episodes.note(9, t0 + milliseconds(1000)));    // failovers start
  EXPECT_FALSE(episodes.note(12, t0 + milliseconds(1500)));  // the same outage
  EXPECT_FALSE(episodes.note(12, t0 + milliseconds(4000)));
  EXPECT_FALSE(episodes.note(13, t0 + milliseconds(6000)));  // 4.5 s after the last: still it
  EXPECT_TRUE(episodes.note(14, t0 + milliseconds(11000)));  // 5 s quiet: a new episode
}

TEST(ServingMember, Table) {
  struct Case {
    std::vector<uint64_t> deltas;
    int previous, serving;
  };
  const Case cases[] = {
      {{10, 0}, -1, 0}, {{0, 10}, 0, 1}, {{0, 0}, 1, 1},  // nobody served: unchanged
      {{0, 0}, -1, -1}, {{3, 5}, 0, 1},  {{5, 5}, 1, 0},  // a tie: the first in order
  };
  for (const Case& c : cases) EXPECT_EQ(serving_member(c.deltas, c.previous), c.serving);
}

}  // namespace
}  // namespace edgefront::obs
