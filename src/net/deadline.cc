#include "net/deadline.h"

namespace edgefront::net {

Deadline::Deadline(const Executor& executor, std::function<void()> on_expire)
    : state_(std::make_shared<State>(executor)) {
  state_->on_expire = std::move(on_expire);
}

Deadline::~Deadline() {
  state_->stopped = true;
  state_->on_expire = nullptr;
  state_->timer.cancel();
}

void Deadline::expires_after(Clock::duration timeout) {
  if (timeout <= Clock::duration::zero()) {
    disarm();
    return;
  }
  Clock::time_point next = Clock::now() + timeout;
  // A timer already set to fire before `next` is left alone: the watcher re-reads the
  // deadline when it fires. Only a deadline earlier than that needs the timer moved.
  bool earlier = next < state_->armed;
  state_->deadline = next;
  state_->expired = false;
  if (!state_->waiting) {
    state_->waiting = true;
    asio::co_spawn(state_->timer.get_executor(), watch(state_), asio::detached);
  } else if (earlier) {
    state_->timer.cancel();  // the watcher re-reads the deadline
  }
}

void Deadline::disarm() { state_->deadline = Clock::time_point::max(); }

awaitable<void> Deadline::watch(std::shared_ptr<State> state) {
  while (!state->stopped) {
    if (state->deadline == Clock::time_point::max()) break;
    state->armed = state->deadline;
    state->timer.expires_at(state->armed);
    std::error_code ec;
    co_await state->timer.async_wait(use_ec(ec));
    state->armed = Clock::time_point::max();
    if (state->stopped) break;
    if (Clock::now() >= state->deadline) {
      state->expired = true;
      state->deadline = Clock::time_point::max();
      if (state->on_expire) state->on_expire();
      break;
    }
  }
  state->waiting = false;
}

}  // namespace edgefront::net
