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
    watch(state_);
  } else if (earlier) {
    state_->timer.cancel();  // the watcher re-reads the deadline
  }
}

void Deadline::disarm() { state_->deadline = Clock::time_point::max(); }

void Deadline::watch(std::shared_ptr<State> state) {
  if (state->stopped || state->deadline == Clock::time_point::max()) {
    state->waiting = false;
    return;
  }
  state->armed = state->deadline;
  state->timer.expires_at(state->armed);
  State& s = *state;
  s.timer.async_wait(
      [state = std::move(state)](std::error_code) mutable { on_timer(std::move(state)); });
}

void Deadline::on_timer(std::shared_ptr<State> state) {
  state->armed = Clock::time_point::max();
  if (!state->stopped && Clock::now() >= state->deadline) {
    state->expired = true;
    state->deadline = Clock::time_point::max();
    if (state->on_expire) state->on_expire();
    state->waiting = false;
    return;
  }
  watch(std::move(state));  // moved (or disarmed, or stopped): re-read the deadline
}

}  // namespace edgefront::net
