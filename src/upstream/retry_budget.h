// Per-origin retry budget over a sliding window (one-second buckets), shared by every worker:
// attempts sent to the origin, and how many of them were retries (not a request's first
// attempt). Counts are approximate under races (a bucket reset can lose a few increments),
// which a budget tolerates.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "base/clock.h"
#include "config/config.h"

namespace edgefront::upstream {

class RetryBudget {
 public:
  static constexpr int kMaxWindowSeconds = 60;

  // Every attempt sent to the origin (first attempts and retries alike).
  void record_attempt(SteadyTime now);
  // Asks to send a retry to this origin; counts it when allowed.
  bool try_retry(SteadyTime now, const config::FailoverBounds& bounds);

  struct Totals {
    uint64_t attempts = 0;
    uint64_t retries = 0;
  };
  Totals totals(SteadyTime now, config::Duration window) const;

 private:
  struct Bucket {
    std::atomic<int64_t> second{-1};
    std::atomic<uint64_t> attempts{0};
    std::atomic<uint64_t> retries{0};
  };
  Bucket& bucket(int64_t second);

  std::array<Bucket, kMaxWindowSeconds> buckets_;
};

}  // namespace edgefront::upstream
