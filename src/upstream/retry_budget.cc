#include "upstream/retry_budget.h"

#include <algorithm>

#include "upstream/failover_bounds.h"

namespace edgefront::upstream {

namespace {
int64_t second_of(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
}  // namespace

RetryBudget::Bucket& RetryBudget::bucket(int64_t second) {
  Bucket& b = buckets_[static_cast<size_t>(second % kMaxWindowSeconds)];
  int64_t seen = b.second.load(std::memory_order_acquire);
  if (seen != second && b.second.compare_exchange_strong(seen, second, std::memory_order_acq_rel)) {
    b.attempts.store(0, std::memory_order_relaxed);
    b.retries.store(0, std::memory_order_relaxed);
  }
  return b;
}

void RetryBudget::record_attempt(SteadyTime now) {
  bucket(second_of(now)).attempts.fetch_add(1, std::memory_order_relaxed);
}

bool RetryBudget::try_retry(SteadyTime now, const config::FailoverBounds& bounds) {
  Totals t = totals(now, bounds.retry_budget_window);
  if (!retry_allowed(t.attempts, t.retries, bounds.retry_budget_percent, bounds.retry_budget_min)) {
    return false;
  }
  bucket(second_of(now)).retries.fetch_add(1, std::memory_order_relaxed);
  return true;
}

RetryBudget::Totals RetryBudget::totals(SteadyTime now, config::Duration window) const {
  int64_t current = second_of(now);
  int64_t span = std::clamp<int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(window).count(), 1, kMaxWindowSeconds);
  Totals t;
  for (const Bucket& b : buckets_) {
    int64_t s = b.second.load(std::memory_order_acquire);
    if (s < 0 || s > current || s <= current - span) continue;
    t.attempts += b.attempts.load(std::memory_order_relaxed);
    t.retries += b.retries.load(std::memory_order_relaxed);
  }
  return t;
}

}  // namespace edgefront::upstream
