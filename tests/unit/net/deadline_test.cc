#include "net/deadline.h"

#include <gtest/gtest.h>

#include <chrono>

namespace edgefront::net {
namespace {

using namespace std::chrono_literals;

// A deadline on its own loop that records when it fires.
struct Watched {
  asio::io_context io;
  bool fired = false;
  Deadline d{io.get_executor(), [this] { fired = true; }};

  // Runs the loop until the deadline fires or `bound` passes; true if it fired.
  bool run_until_fired(std::chrono::milliseconds bound) {
    auto until = std::chrono::steady_clock::now() + bound;
    while (!fired && std::chrono::steady_clock::now() < until) {
      io.run_for(5ms);
      io.restart();
    }
    return fired;
  }
};

TEST(Deadline, FiresOnceTheTimeoutPasses) {
  Watched w;
  w.d.expires_after(10ms);
  EXPECT_TRUE(w.run_until_fired(5s));
  EXPECT_TRUE(w.d.expired());
}

TEST(Deadline, DisarmedDoesNotFire) {
  Watched w;
  w.d.expires_after(10ms);
  w.d.disarm();
  EXPECT_FALSE(w.run_until_fired(100ms));
  EXPECT_FALSE(w.d.expired());
}

TEST(Deadline, MovedLaterDoesNotFireAtTheOldTime) {
  Watched w;
  w.d.expires_after(10ms);
  w.d.expires_after(1h);
  EXPECT_FALSE(w.run_until_fired(100ms));
}

TEST(Deadline, MovedEarlierAfterADisarmFiresAtTheEarlierTime) {
  // Regression guard for the lazy re-arm: a timer armed for a later time must be moved when
  // a deadline earlier than it is set, even after a disarm in between.
  Watched w;
  w.d.expires_after(1h);
  w.io.run_for(5ms);  // the watcher is now waiting on the 1 h timer
  w.io.restart();
  w.d.disarm();
  w.d.expires_after(10ms);
  EXPECT_TRUE(w.run_until_fired(5s));
}

TEST(Deadline, RearmedAfterFiringFiresAgain) {
  Watched w;
  w.d.expires_after(5ms);
  ASSERT_TRUE(w.run_until_fired(5s));
  w.fired = false;
  w.d.expires_after(5ms);
  EXPECT_FALSE(w.d.expired());
  EXPECT_TRUE(w.run_until_fired(5s));
}

}  // namespace
}  // namespace edgefront::net
