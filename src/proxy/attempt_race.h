// Origin attempts running side by side on one worker, for hedged requests: each leg sends its
// request and reads the response head in a coroutine of its own; the caller learns which leg
// finished first and takes the winner. A leg left behind finishes on its own and is dropped
// (its connection closed, never pooled).
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "http/message.h"
#include "net/asio.h"
#include "proxy/runtime.h"
#include "upstream/origin_fetch.h"

namespace edgefront::proxy {

class AttemptRace {
 public:
  // `runtime` keeps the origins' configs alive for legs that outlive the request.
  AttemptRace(net::Executor executor, std::shared_ptr<const Runtime> runtime);
  ~AttemptRace();

  // What a leg that finishes after the race was given up reports to (passive health, so a
  // primary that is slow and then fails is still counted against); runs on the executor.
  using LateResult = std::function<void(const upstream::AttemptResult&)>;

  // Starts a GET/HEAD attempt (no request body); returns the leg's index.
  size_t launch(std::unique_ptr<upstream::OriginFetch> fetch, http::RequestHead request);
  // From now on, `late` hears the leg's result if it finishes after the race is destroyed.
  void on_late_result(size_t leg, LateResult late);
  // The next leg to finish that was not reported yet; nullopt when `limit` passed first.
  net::awaitable<std::optional<size_t>> next_finished(
      std::optional<std::chrono::milliseconds> limit = std::nullopt);
  size_t size() const;
  bool finished(size_t leg) const;
  bool all_finished() const;
  const upstream::AttemptResult& result(size_t leg) const;
  // The leg's fetch, once finished (the caller then owns the response).
  std::unique_ptr<upstream::OriginFetch> take(size_t leg);

 private:
  struct State;
  static net::awaitable<void> run_leg(std::shared_ptr<State> state, size_t leg);
  std::shared_ptr<State> state_;
};

}  // namespace edgefront::proxy
