#include "upstream/availability_watch.h"

namespace edgefront::upstream {

AvailabilityWatch::Registration::Registration(AvailabilityWatch& watch,
                                              const net::Executor& executor,
                                              const OriginHealth& member,
                                              const OriginHealth* alternative, Waiter& waiter)
    : watch_(watch), member_(member), alternative_(alternative), waiter_(waiter) {
  watch_.add(*this, executor);
}

AvailabilityWatch::Registration::~Registration() { watch_.remove(*this); }

AvailabilityWatch::~AvailabilityWatch() {
  // A completion already queued must not touch this object: it sees `alive` false.
  state_->alive = false;
  if (state_->timer) state_->timer->cancel();
}

void AvailabilityWatch::close() {
  state_->armed = false;
  state_->timer.reset();  // cancels a pending wait; its completion sees no timer
}

void AvailabilityWatch::add(Registration& r, const net::Executor& executor) {
  State& s = *state_;
  r.next_ = s.head;
  if (s.head) s.head->prev_ = &r;
  s.head = &r;
  ++s.count;
  if (!s.timer) s.timer.emplace(executor);
  arm();
}

void AvailabilityWatch::remove(Registration& r) {
  State& s = *state_;
  if (r.prev_) {
    r.prev_->next_ = r.next_;
  } else {
    s.head = r.next_;
  }
  if (r.next_) r.next_->prev_ = r.prev_;
  r.prev_ = r.next_ = nullptr;
  --s.count;
}

void AvailabilityWatch::arm() {
  State& s = *state_;
  if (s.armed || !s.head) return;
  s.armed = true;
  s.timer->expires_after(s.period);
  s.timer->async_wait([this, state = state_](std::error_code ec) {
    if (!state->alive || !state->timer) return;
    state->armed = false;
    if (ec) return;
    check(std::chrono::steady_clock::now());
    arm();
  });
}

void AvailabilityWatch::check(SteadyTime now) {
  for (Registration* r = state_->head; r != nullptr; r = r->next_) {
    if (r->fired_ || r->member_.available(now)) continue;
    if (r->alternative_ && !r->alternative_->available(now)) continue;
    r->fired_ = true;
    // Cancels the attempt's socket: its coroutine resumes later, never inside this loop.
    r->waiter_.member_unavailable();
  }
}

}  // namespace edgefront::upstream
