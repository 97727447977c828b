// The health of one origin, shared by every worker and the health checker: lock-free
// atomics, read on every request. Two inputs: active probes (HealthCheckState, run by the
// control thread) and passive outcomes of real requests (outlier ejection with a backoff
// that doubles on repeated ejections).
#pragma once

#include <atomic>
#include <cstdint>

#include "base/clock.h"
#include "config/config.h"

namespace edgefront::upstream {

// Threshold logic of active checks (pure): a state flips after `unhealthy_threshold`
// consecutive failed probes or `healthy_threshold` consecutive good ones. Starts healthy, as
// Route 53 does for new checks.
class HealthCheckState {
 public:
  // Records one probe; returns true if the healthy/unhealthy state changed.
  bool observe(bool probe_ok, const config::HealthCheck& check);
  bool healthy() const { return healthy_; }
  int consecutive_ok() const { return consecutive_ok_; }
  int consecutive_failed() const { return consecutive_failed_; }

 private:
  bool healthy_ = true;
  int consecutive_ok_ = 0;
  int consecutive_failed_ = 0;
};

struct HealthView {
  bool active_healthy = true;
  bool ejected = false;
  int64_t ejected_for_ms = 0;  // remaining ejection time
  uint32_t ejections = 0;      // times ejected so far (drives the backoff)
  uint32_t consecutive_failures = 0;
};

class OriginHealth {
 public:
  // Usable for new requests: the active check (if any) says healthy and it is not ejected.
  bool available(SteadyTime now) const;

  // Passive: the outcome of a real request. Returns true if this failure ejected the origin.
  // `may_eject` is false when the group's cap on ejected members is reached.
  bool record_failure(SteadyTime now, const config::OutlierDetection& policy, bool may_eject);
  void record_success();

  // The origin asked for a rest (429/503 with Retry-After): unavailable until `until`, without
  // counting as an ejection. Never shortens an ejection in force.
  void rest_until(SteadyTime until);

  // Active: the checker's current verdict.
  void set_active_healthy(bool healthy);

  bool ejected(SteadyTime now) const;
  // Share of the requests it would lead that a recovering origin takes (pure arithmetic on
  // the end of its last ejection): 1 when not recovering, from 0.1 up to 1 across
  // `recovery_window` after an ejection ended.
  double admission_share(SteadyTime now, const config::OutlierDetection& policy) const;
  HealthView view(SteadyTime now) const;

  // Ejection length for the n-th ejection (1-based): base * 2^(n-1), capped (pure).
  static config::Duration ejection_time(uint32_t nth, const config::OutlierDetection& policy);

 private:
  std::atomic<bool> active_healthy_{true};
  std::atomic<uint32_t> consecutive_failures_{0};
  std::atomic<uint32_t> ejections_{0};
  std::atomic<int64_t> ejected_until_ns_{0};  // steady clock, 0 = not ejected
};

// Whether one more member of a group may be ejected under max_ejected_percent (pure).
bool may_eject_another(int ejected_now, int members, int max_ejected_percent);

}  // namespace edgefront::upstream
