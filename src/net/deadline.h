// A connection watchdog: one timer per connection, re-armed lazily. Code sets the deadline
// before each blocking step; when a deadline passes, the callback closes the socket, which
// makes the pending operation fail. Cheaper than a timer race per operation.
#pragma once

#include <functional>
#include <memory>

#include "net/asio.h"

namespace edgefront::net {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `on_expire` runs on the connection's executor when the current deadline passes.
  Deadline(const Executor& executor, std::function<void()> on_expire);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // Arms (or moves) the deadline to now + timeout. Zero or negative timeout disarms.
  void expires_after(Clock::duration timeout);
  void disarm();
  bool expired() const { return state_->expired; }

 private:
  struct State {
    explicit State(const Executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    Clock::time_point deadline = Clock::time_point::max();
    Clock::time_point armed = Clock::time_point::max();  // when the watcher's timer fires
    bool waiting = false;
    bool expired = false;
    bool stopped = false;
    std::function<void()> on_expire;
  };
  // The watcher: one timer wait at a time with a plain handler (a coroutine per connection
  // cost ~1.3 KiB of frames for as long as the connection lived).
  static void watch(std::shared_ptr<State> state);
  static void on_timer(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
};

}  // namespace edgefront::net
