#include "net/deadline.h"

#include <gtest/gtest.h>

#include <chrono>

namespace edgefront::net {
namespace {

using namespace std::chrono_literals;

// Runs the loop until the deadline fires or `bound` passes; true if it fired.
bool run_until_fired(asio::io_context& io, const bool& fired, std::chrono::milliseconds bound) {
  auto until = std::chrono::steady_clock::now() + bound;
  while (!fired && std::chrono::steady_clock::now() < until) {
    io.run_for(5ms);
    io.restart();
  }
  return fired;
}

TEST(Deadline, FiresOnceTheTimeoutPasses) {
  asio::io_context io;
  bool fired = false;
  Deadline d(io.get_executor(), [&] { fired = true; });
  d.expires_after(10ms);
  EXPECT_TRUE(run_until_fired(io, fired, 5s));
  EXPECT_TRUE(d.expired());
}

TEST(Deadline, DisarmedDoesNotFire) {
  asio::io_context io;
  bool fired = false;
  Deadline d(io.get_executor(), [&] { fired = true; });
  d.expires_after(10ms);
  d.disarm();
  EXPECT_FALSE(run_until_fired(io, fired, 100ms));
  EXPECT_FALSE(d.expired());
}

TEST(Deadline, MovedLaterDoesNotFireAtTheOldTime) {
  asio::io_context io;
  bool fired = false;
  Deadline d(io.get_executor(), [&] { fired = true; });
  d.expires_after(10ms);
  d.expires_after(1h);
  EXPECT_FALSE(run_until_fired(io, fired, 100ms));
}

TEST(Deadline, MovedEarlierAfterADisarmFiresAtTheEarlierTime) {
  // Regression guard for the lazy re-arm: a timer armed for a later time must be moved when
  // a deadline earlier than it is set, even after a disarm in between.
  asio::io_context io;
  bool fired = false;
  Deadline d(io.get_executor(), [&] { fired = true; });
  d.expires_after(1h);
  io.run_for(5ms);  // the watcher is now waiting on the 1 h timer
  io.restart();
  d.disarm();
  d.expires_after(10ms);
  EXPECT_TRUE(run_until_fired(io, fired, 5s));
}

TEST(Deadline, RearmedAfterFiringFiresAgain) {
  asio::io_context io;
  bool fired = false;
  Deadline d(io.get_executor(), [&] { fired = true; });
  d.expires_after(5ms);
  ASSERT_TRUE(run_until_fired(io, fired, 5s));
  fired = false;
  d.expires_after(5ms);
  EXPECT_FALSE(d.expired());
  EXPECT_TRUE(run_until_fired(io, fired, 5s));
}

}  // namespace
}  // namespace edgefront::net
