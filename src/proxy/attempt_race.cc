#include "proxy/attempt_race.h"

namespace edgefront::proxy {

struct AttemptRace::State {
  State(net::Executor ex, std::shared_ptr<const Runtime> rt)
      : executor(ex), runtime(std::move(rt)), wake(ex) {}
  struct Leg {
    std::unique_ptr<upstream::OriginFetch> fetch;
    http::RequestHead request;
    std::optional<upstream::AttemptResult> result;
    bool reported = false;
    LateResult late;
  };
  net::Executor executor;
  std::shared_ptr<const Runtime> runtime;
  std::deque<Leg> legs;  // stable addresses while legs run
  asio::steady_timer wake;
  bool abandoned = false;
};

AttemptRace::AttemptRace(net::Executor executor, std::shared_ptr<const Runtime> runtime)
    : state_(std::make_shared<State>(executor, std::move(runtime))) {}

AttemptRace::~AttemptRace() {
  // Legs still running finish on their own and drop their fetch.
  state_->abandoned = true;
  state_->wake.cancel();
}

size_t AttemptRace::launch(std::unique_ptr<upstream::OriginFetch> fetch,
                           http::RequestHead request) {
  State::Leg& leg = state_->legs.emplace_back();
  leg.fetch = std::move(fetch);
  leg.request = std::move(request);
  size_t index = state_->legs.size() - 1;
  asio::co_spawn(state_->executor, run_leg(state_, index), asio::detached);
  return index;
}

net::awaitable<void> AttemptRace::run_leg(std::shared_ptr<State> state, size_t index) {
  State::Leg& leg = state->legs[index];
  upstream::AttemptResult result = co_await leg.fetch->start(leg.request, {});
  leg.result = result;
  if (state->abandoned) {
    leg.fetch.reset();
    if (leg.late) leg.late(result);
    co_return;
  }
  state->wake.cancel();
}

net::awaitable<std::optional<size_t>> AttemptRace::next_finished(
    std::optional<std::chrono::milliseconds> limit) {
  const auto deadline =
      limit ? std::chrono::steady_clock::now() + *limit : asio::steady_timer::time_point::max();
  while (true) {
    for (size_t i = 0; i < state_->legs.size(); ++i) {
      State::Leg& leg = state_->legs[i];
      if (leg.result && !leg.reported) {
        leg.reported = true;
        co_return i;
      }
    }
    if (all_finished() || std::chrono::steady_clock::now() >= deadline) co_return std::nullopt;
    state_->wake.expires_at(deadline);
    std::error_code ec;
    co_await state_->wake.async_wait(net::use_ec(ec));
  }
}

void AttemptRace::on_late_result(size_t leg, LateResult late) {
  state_->legs[leg].late = std::move(late);
}

size_t AttemptRace::size() const { return state_->legs.size(); }

bool AttemptRace::finished(size_t leg) const { return state_->legs[leg].result.has_value(); }

bool AttemptRace::all_finished() const {
  for (const State::Leg& leg : state_->legs) {
    if (!leg.result) return false;
  }
  return true;
}

const upstream::AttemptResult& AttemptRace::result(size_t leg) const {
  return *state_->legs[leg].result;
}

std::unique_ptr<upstream::OriginFetch> AttemptRace::take(size_t leg) {
  return std::move(state_->legs[leg].fetch);
}

}  // namespace edgefront::proxy
