#include "upstream/origin_health.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace edgefront::upstream {

namespace {

int64_t to_ns(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

int64_t to_ns(config::Duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

}  // namespace

bool HealthCheckState::observe(bool probe_ok, const config::HealthCheck& check) {
  if (probe_ok) {
    ++consecutive_ok_;
    consecutive_failed_ = 0;
    if (!healthy_ && consecutive_ok_ >= std::max(check.healthy_threshold, 1)) {
      healthy_ = true;
      return true;
    }
  } else {
    ++consecutive_failed_;
    consecutive_ok_ = 0;
    if (healthy_ && consecutive_failed_ >= std::max(check.unhealthy_threshold, 1)) {
      healthy_ = false;
      return true;
    }
  }
  return false;
}

bool OriginHealth::available(SteadyTime now) const {
  return active_healthy_.load(std::memory_order_acquire) && !ejected(now);
}

// Ejection. Several workers may cross the threshold at once: the one whose compare-exchange
// moves ejected_until_ns_ forward ejects; the others see the new deadline (or lose the CAS)
// and return false, so one threshold crossing gives exactly one ejection.
//
// Failures keep counting while the origin is ejected (requests already under way, or a group
// whose members are all ejected and so all tried); the first failure after the ejection ends
// with the count still at the threshold ejects again, with a longer backoff.
//
// Backoff decay: the level `ejections_` (the n in base * 2^(n-1)) drops by one for every full
// max_ejection that passes after an ejection period ends without a new ejection. It is applied
// lazily, when the next ejection is computed, from the stored level and the end of the last
// ejection, so record_success() needs no clock. An origin that stays quiet for a while thus
// starts again near base_ejection, while one that keeps failing soon after each ejection keeps
// doubling up to max_ejection. view().ejections is the level set by the latest ejection.
double OriginHealth::admission_share(SteadyTime now, const config::OutlierDetection& policy) const {
  int64_t until = ejected_until_ns_.load(std::memory_order_acquire);
  int64_t window = to_ns(policy.recovery_window);
  if (until == 0 || window <= 0) return 1.0;
  int64_t since_end = to_ns(now) - until;
  if (since_end < 0) return 0.0;  // still ejected
  if (since_end >= window) return 1.0;
  return std::max(0.1, static_cast<double>(since_end) / static_cast<double>(window));
}

bool OriginHealth::record_failure(SteadyTime now, const config::OutlierDetection& policy,
                                  bool may_eject) {
  uint32_t failures = consecutive_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  // On probation after an ejection, one failure is enough to eject it again.
  const bool recovering = admission_share(now, policy) < 1.0;
  if (!policy.enabled || !may_eject || policy.consecutive_failures < 1 ||
      (!recovering && failures < static_cast<uint32_t>(policy.consecutive_failures))) {
    return false;
  }
  int64_t now_ns = to_ns(now);
  int64_t until = ejected_until_ns_.load(std::memory_order_acquire);
  if (now_ns < until) return false;  // already ejected

  uint32_t level = ejections_.load(std::memory_order_acquire);
  if (level > 0) {
    int64_t period = to_ns(policy.max_ejection);
    int64_t quiet = now_ns - until;  // >= 0: the last ejection is over
    if (period <= 0) {
      level = 0;
    } else {
      int64_t decay = quiet / period;
      level = decay >= static_cast<int64_t>(level) ? 0 : level - static_cast<uint32_t>(decay);
    }
  }
  uint32_t nth = level == std::numeric_limits<uint32_t>::max() ? level : level + 1;
  int64_t new_until = now_ns + to_ns(ejection_time(nth, policy));
  if (!ejected_until_ns_.compare_exchange_strong(until, new_until, std::memory_order_acq_rel,
                                                 std::memory_order_acquire)) {
    return false;  // another worker ejected it first
  }
  ejections_.store(nth, std::memory_order_release);
  consecutive_failures_.store(0, std::memory_order_relaxed);
  return true;
}

void OriginHealth::record_success() { consecutive_failures_.store(0, std::memory_order_relaxed); }

void OriginHealth::rest_until(SteadyTime until) {
  int64_t target = to_ns(until);
  int64_t current = ejected_until_ns_.load(std::memory_order_acquire);
  while (current < target &&
         !ejected_until_ns_.compare_exchange_weak(current, target, std::memory_order_acq_rel,
                                                  std::memory_order_acquire)) {
  }
}

void OriginHealth::set_active_healthy(bool healthy) {
  active_healthy_.store(healthy, std::memory_order_release);
}

bool OriginHealth::ejected(SteadyTime now) const {
  return to_ns(now) < ejected_until_ns_.load(std::memory_order_acquire);
}

HealthView OriginHealth::view(SteadyTime now) const {
  HealthView v;
  v.active_healthy = active_healthy_.load(std::memory_order_acquire);
  int64_t remaining = ejected_until_ns_.load(std::memory_order_acquire) - to_ns(now);
  v.ejected = remaining > 0;
  if (v.ejected) {
    v.ejected_for_ms =
        std::chrono::ceil<std::chrono::milliseconds>(std::chrono::nanoseconds(remaining)).count();
  }
  v.ejections = ejections_.load(std::memory_order_acquire);
  v.consecutive_failures = consecutive_failures_.load(std::memory_order_relaxed);
  return v;
}

config::Duration OriginHealth::ejection_time(uint32_t nth, const config::OutlierDetection& policy) {
  const config::Duration base = policy.base_ejection;
  const config::Duration cap = policy.max_ejection;
  if (base <= config::Duration::zero()) return std::min(base, cap);
  uint32_t shift = nth > 0 ? nth - 1 : 0;
  // base * 2^shift > cap  <=>  base > cap / 2^shift; checked without ever multiplying.
  if (shift >= 62 || base.count() > (cap.count() >> shift)) return cap;
  return config::Duration(base.count() << shift);
}

bool may_eject_another(int ejected_now, int members, int max_ejected_percent) {
  if (members < 1 || max_ejected_percent <= 0) return false;
  if (ejected_now <= 0) return true;  // one member may always go, so 2 members at 50% eject one
  return (static_cast<int64_t>(ejected_now) + 1) * 100 <=
         static_cast<int64_t>(max_ejected_percent) * members;
}

}  // namespace edgefront::upstream
