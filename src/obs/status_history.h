// What the status page remembers: bounded per-second series, an event log, and the pure rules
// that turn two samples of an origin or a group into events (ejection, unhealthy, recovery,
// failover, serving member changed). The sampler (server/status_sampler.h) feeds them on the
// control thread; nothing here is shared with workers.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace edgefront::obs {

// A deque that keeps its last `capacity` items.
template <class T>
class BoundedLog {
 public:
  explicit BoundedLog(size_t capacity) : capacity_(capacity) {}
  void push(T item) {
    items_.push_back(std::move(item));
    if (items_.size() > capacity_) items_.pop_front();
  }
  const std::deque<T>& items() const { return items_; }

 private:
  size_t capacity_;
  std::deque<T> items_;
};

struct StatusEvent {
  int64_t unix_ms = 0;
  std::string kind;  // ejection, unhealthy, recovery, failover, serving, fault, invalidation
  std::string distribution;
  std::string subject;  // the origin, group, fault id or invalidation id
  std::string detail;
};

// One origin's health as the sampler reads it.
struct OriginHealthSample {
  bool available = true;
  bool ejected = false;
  bool active_healthy = true;
  uint64_t ejections = 0;  // times ejected so far
};

// The verdict the page shows for an origin.
const char* health_verdict(const OriginHealthSample& s);

// Event kinds between two samples of one origin: "ejection" (ejected again since, however
// briefly), "unhealthy" (the active check turned it down), "recovery" (available again).
std::vector<const char*> health_events(const OriginHealthSample& before,
                                       const OriginHealthSample& after);

// Failovers of one group come in episodes (an outage moves request after request): only the
// first failover after `quiet` without any is an event.
class FailoverEpisodes {
 public:
  explicit FailoverEpisodes(std::chrono::milliseconds quiet) : quiet_(quiet) {}
  // Takes the group's failover total at `now`; true if an episode starts.
  bool note(uint64_t total, SteadyTime now);

 private:
  std::chrono::milliseconds quiet_;
  std::optional<uint64_t> last_total_;
  std::optional<SteadyTime> last_failover_;
};

// The member that served most since the last look (`served_deltas` in member order), or
// `previous` when none served: -1 for none known.
int serving_member(const std::vector<uint64_t>& served_deltas, int previous);

}  // namespace edgefront::obs
