// Every origin's shared live state (health, measured connect and response times, retry
// budget, requests in flight), keyed by (distribution id, origin id) so it survives config
// reloads: a reload must not forget an ejection, reset the circuit breaker's count while the
// old config's requests are still in flight, or refill a spent retry budget. Entries are
// created off the hot path (when a Runtime is built) and never freed.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "upstream/connect_rtt.h"
#include "upstream/inflight.h"
#include "upstream/latency_ewma.h"
#include "upstream/origin_health.h"
#include "upstream/retry_budget.h"

namespace edgefront::upstream {

struct OriginLiveState {
  OriginHealth health;
  ConnectRtt connect_rtt;
  RetryBudget retry_budget;
  InflightCounter in_flight;
  LatencyEwma latency;
};

class HealthRegistry {
 public:
  OriginLiveState* state(const std::string& distribution, const std::string& origin) {
    std::lock_guard lock(mu_);
    auto& slot = entries_[{distribution, origin}];
    if (!slot) slot = std::make_unique<OriginLiveState>();
    return slot.get();
  }

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<OriginLiveState>> entries_;
};

}  // namespace edgefront::upstream
