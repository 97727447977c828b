// A one-shot wake-up for a coroutine suspended on its own executor, triggered from any
// thread: the trigger posts a cancel of the sleeper's timer to the sleeper's executor, so no
// timer is touched across threads, and a trigger that fires before the sleeper suspends is
// not lost (the cancel runs only once the sleeper's coroutine has yielded).
#pragma once

#include <functional>
#include <memory>

#include "net/asio.h"

namespace edgefront::cache {

class Wakeup {
 public:
  Wakeup(net::Executor executor, asio::steady_timer::time_point deadline)
      : executor_(std::move(executor)),
        timer_(std::make_shared<asio::steady_timer>(executor_, deadline)) {}

  // What the waker calls, from any thread.
  std::function<void()> trigger() const {
    return [executor = executor_, timer = timer_] {
      asio::post(executor, [timer] { timer->cancel(); });
    };
  }
  // Sleeps until triggered or the deadline passes.
  net::awaitable<void> wait() {
    std::error_code ec;
    co_await timer_->async_wait(net::use_ec(ec));
  }

 private:
  net::Executor executor_;
  std::shared_ptr<asio::steady_timer> timer_;
};

}  // namespace edgefront::cache
