#include "upstream/failover_bounds.h"

#include <algorithm>
#include <charconv>

#include "http/http_date.h"

namespace edgefront::upstream {

const char* failover_stop_name(FailoverStop stop) {
  switch (stop) {
    case FailoverStop::kNone:
      return "none";
    case FailoverStop::kAttempts:
      return "attempts";
    case FailoverStop::kTime:
      return "time";
    case FailoverStop::kRetryBudget:
      return "retry_budget";
  }
  return "none";
}

FailoverStop failover_budget_check(int attempts_made, config::Duration elapsed,
                                   const config::FailoverBounds& bounds) {
  if (bounds.max_attempts > 0 && attempts_made >= bounds.max_attempts) {
    return FailoverStop::kAttempts;
  }
  if (bounds.max_time > config::Duration::zero() && elapsed >= bounds.max_time) {
    return FailoverStop::kTime;
  }
  return FailoverStop::kNone;
}

config::Duration adapted_connect_timeout(config::Duration configured,
                                         std::optional<std::chrono::microseconds> smoothed,
                                         const config::FailoverBounds& bounds) {
  if (!bounds.adaptive_connect || !smoothed) return configured;
  auto scaled = std::chrono::ceil<config::Duration>(*smoothed * bounds.connect_multiplier);
  return std::min(configured, std::max(bounds.connect_floor, scaled));
}

config::Duration cap_by_remaining(config::Duration timeout, config::Duration elapsed,
                                  const config::FailoverBounds& bounds) {
  if (bounds.max_time <= config::Duration::zero()) return timeout;
  config::Duration left = std::max(config::Duration(1), bounds.max_time - elapsed);
  return std::min(timeout, left);
}

bool retry_allowed(uint64_t requests, uint64_t retries, int percent, int min_retries) {
  if (retries < static_cast<uint64_t>(std::max(0, min_retries))) return true;
  return retries * 100 < requests * static_cast<uint64_t>(std::max(0, percent));
}

bool may_fail_over_unsent(http::Method method, AttemptOutcome outcome, bool has_next_member,
                          const config::FailoverBounds& bounds) {
  if (!bounds.retry_non_idempotent || !has_next_member || is_failover_method(method)) {
    return false;
  }
  return outcome == AttemptOutcome::kConnectFailed || outcome == AttemptOutcome::kConnectTimeout;
}

std::optional<config::Duration> parse_retry_after(std::string_view value, SystemTime now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    uint64_t seconds = 0;
    auto [p, err] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (err != std::errc() || p != value.data() + value.size()) return std::nullopt;
    // Anything beyond a day is as good as a day (and cannot overflow).
    seconds = std::min<uint64_t>(seconds, 86400);
    return std::chrono::seconds(seconds);
  }
  std::optional<SystemTime> when = http::parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return config::Duration::zero();
  return std::min<config::Duration>(std::chrono::duration_cast<config::Duration>(*when - now),
                                    std::chrono::hours(24));
}

}  // namespace edgefront::upstream
