// Moves attempts off a member as soon as it is judged unavailable. An attempt waiting for a
// connect or a response head registers here with the member it waits on; one timer per
// worker, running only while some attempt waits, looks every `period` at those members'
// OriginHealth (lock-free atomics that every worker's passive outcomes, the health checker
// and Retry-After write) and wakes the waiters of a member that became unavailable while the
// member they would move to is available. Why a per-worker poll rather than a cross-thread
// notification: workers share nothing but those atomics, the check costs one atomic load per
// waiter every `period` and nothing while nobody waits, and the delay it adds (<= period) is
// small against the timeouts it cuts short (seconds). Worker-local: never touch it from
// another thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "net/asio.h"
#include "upstream/origin_health.h"

namespace edgefront::upstream {

class AvailabilityWatch {
 public:
  // What gets woken: called at most once per registration, on the worker's thread.
  class Waiter {
   public:
    virtual void member_unavailable() = 0;

   protected:
    ~Waiter() = default;
  };

  // Watches `member` for `waiter` while it lives. `alternative` is the member the attempt
  // would move to (null: wake regardless); when it is unavailable too, moving is pointless.
  class Registration {
   public:
    Registration(AvailabilityWatch& watch, const net::Executor& executor,
                 const OriginHealth& member, const OriginHealth* alternative, Waiter& waiter);
    ~Registration();
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    friend class AvailabilityWatch;
    AvailabilityWatch& watch_;
    const OriginHealth& member_;
    const OriginHealth* alternative_;
    Waiter& waiter_;
    Registration* prev_ = nullptr;
    Registration* next_ = nullptr;
    bool fired_ = false;
  };

  explicit AvailabilityWatch(std::chrono::milliseconds period = std::chrono::milliseconds(20))
      : state_(std::make_shared<State>(period)) {}
  ~AvailabilityWatch();
  AvailabilityWatch(const AvailabilityWatch&) = delete;
  AvailabilityWatch& operator=(const AvailabilityWatch&) = delete;

  // Wakes the waiters whose member is unavailable now (the timer calls it; so may a worker
  // that has just ejected a member).
  void check(SteadyTime now);
  size_t waiting() const { return state_->count; }
  // Drops the timer; call before the io_context it runs on is destroyed (a timer outliving its
  // io_context's services is undefined behaviour). A later registration makes a new one.
  void close();

 private:
  struct State {
    explicit State(std::chrono::milliseconds p) : period(p) {}
    std::chrono::milliseconds period;
    std::optional<asio::steady_timer> timer;
    bool armed = false;
    bool alive = true;
    size_t count = 0;
    Registration* head = nullptr;
  };
  void add(Registration& r, const net::Executor& executor);
  void remove(Registration& r);
  void arm();

  std::shared_ptr<State> state_;
};

}  // namespace edgefront::upstream
