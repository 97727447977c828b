#include "upstream/connect_rtt.h"

#include <algorithm>

namespace edgefront::upstream {

namespace {
constexpr int64_t kMaxUs = 60'000'000;  // a minute: beyond any sane connect timeout
}

void ConnectRtt::record(std::chrono::microseconds sample) {
  int64_t s = std::clamp<int64_t>(sample.count(), 1, kMaxUs);
  int64_t old = smoothed_us_.load(std::memory_order_relaxed);
  int64_t next = old == 0 ? s : old + (s - old) / 8;
  smoothed_us_.store(std::max<int64_t>(next, 1), std::memory_order_relaxed);
}

void ConnectRtt::record_timeout(std::chrono::microseconds waited, int multiplier) {
  int64_t old = smoothed_us_.load(std::memory_order_relaxed);
  if (old == 0) return;  // no estimate yet: the configured timeout applied anyway
  int64_t doubled = std::clamp<int64_t>(2 * waited.count() / std::max(1, multiplier), 1, kMaxUs);
  if (doubled > old) smoothed_us_.store(doubled, std::memory_order_relaxed);
}

std::optional<std::chrono::microseconds> ConnectRtt::smoothed() const {
  int64_t v = smoothed_us_.load(std::memory_order_relaxed);
  if (v == 0) return std::nullopt;
  return std::chrono::microseconds(v);
}

}  // namespace edgefront::upstream
