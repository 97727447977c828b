// Bounded failover (pure): when a request must stop failing over (its attempt or time budget
// is spent, or the retry budget says no), the connect timeout adapted to the measured connect
// time, and Retry-After. The shared counters these read live in connect_rtt.h and
// retry_budget.h.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "base/clock.h"
#include "config/config.h"
#include "upstream/failover_policy.h"

namespace edgefront::upstream {

enum class FailoverStop { kNone, kAttempts, kTime, kRetryBudget };

const char* failover_stop_name(FailoverStop stop);

// Whether another attempt fits the per-request budget, after `attempts_made` attempts and
// `elapsed` since the first began.
FailoverStop failover_budget_check(int attempts_made, config::Duration elapsed,
                                   const config::FailoverBounds& bounds);

// min(configured, max(floor, multiplier x smoothed)); the configured timeout while there is
// no sample or adaptation is off.
config::Duration adapted_connect_timeout(config::Duration configured,
                                         std::optional<std::chrono::microseconds> smoothed,
                                         const config::FailoverBounds& bounds);

// A timeout capped by what is left of max_time (at least 1 ms), unchanged without max_time.
config::Duration cap_by_remaining(config::Duration timeout, config::Duration elapsed,
                                  const config::FailoverBounds& bounds);

// Envoy-style retry budget: a retry is allowed while retries stay below `percent` of the
// requests in the window, or below `min_retries` (so low traffic can still retry).
bool retry_allowed(uint64_t requests, uint64_t retries, int percent, int min_retries);

// With retry_non_idempotent, a method CloudFront never fails over (PUT, POST, PATCH, DELETE)
// still moves to the next member when nothing of the request was sent: the connect failed or
// timed out. Anything later (the request went out) is never retried.
bool may_fail_over_unsent(http::Method method, AttemptOutcome outcome, bool has_next_member,
                          const config::FailoverBounds& bounds);

// Retry-After as delta-seconds or an HTTP date (RFC 9110 10.2.3); nullopt if malformed.
// A date in the past is zero.
std::optional<config::Duration> parse_retry_after(std::string_view value, SystemTime now);

}  // namespace edgefront::upstream
