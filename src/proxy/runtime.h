// A config compiled for serving: router, opened directory origins, endpoints and counter
// pointers. Immutable; published to workers as a whole and swapped atomically on reload.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "obs/distribution_metrics.h"
#include "obs/metric_table.h"
#include "proxy/phase_steps.h"
#include "routing/router.h"
#include "upstream/connect_rtt.h"
#include "upstream/directory_origin.h"
#include "upstream/fault_table.h"
#include "upstream/health_checker.h"
#include "upstream/health_registry.h"
#include "upstream/inflight.h"
#include "upstream/latency_ewma.h"
#include "upstream/origin_connection.h"
#include "upstream/retry_budget.h"

namespace edgefront::proxy {

struct OriginStats {
  obs::Counter* requests = nullptr;
  std::array<obs::Counter*, 5> responses_by_class{};  // 1xx..5xx
  obs::Counter* connect_errors = nullptr;
  obs::Counter* timeouts = nullptr;
  obs::Counter* closed = nullptr;
  obs::Counter* bad_responses = nullptr;
  obs::Counter* body_errors = nullptr;    // bodies broken off after the head
  obs::Counter* abandoned = nullptr;      // attempts moved off a member judged unavailable
  obs::Counter* continuations = nullptr;  // broken bodies this origin continued
  obs::Counter* failover_statuses = nullptr;
  obs::Counter* served = nullptr;
  obs::Counter* ejections = nullptr;
  obs::Histogram* latency = nullptr;  // OriginLatency: request sent -> response head
};

struct RuntimeOrigin {
  const config::Origin* config = nullptr;
  std::shared_ptr<const upstream::DirectoryOrigin> directory;  // directory origins only
  upstream::OriginEndpoint http_endpoint;
  upstream::OriginEndpoint https_endpoint;
  OriginStats stats;
  // Shared with every worker and the checker, and kept across reloads (HealthRegistry).
  upstream::OriginHealth* health = nullptr;
  // Bounded failover: measured connect time, retry budget.
  upstream::ConnectRtt* connect_rtt = nullptr;
  upstream::RetryBudget* retry_budget = nullptr;
  // Active-active and circuit breaking: requests in flight, smoothed response time.
  upstream::InflightCounter* in_flight = nullptr;
  upstream::LatencyEwma* latency = nullptr;
  obs::Counter* at_limit = nullptr;  // attempts refused by max_concurrent_requests
};

// What a cache behavior targets: one origin, or an origin group's members in order.
struct RuntimeTarget {
  const config::OriginGroup* group = nullptr;
  std::vector<const RuntimeOrigin*> members;
  std::vector<obs::Counter*> failovers_from;  // parallel to members
  // Requests whose failover a bound stopped: attempts, time, retry budget (groups only).
  std::array<obs::Counter*, 3> failover_stopped{};
  obs::Counter* hedges = nullptr;
  obs::Histogram* attempts = nullptr;          // attempts per request
  obs::Histogram* time_to_failover = nullptr;  // groups only
  // Weighted round robin's shared ticket.
  std::unique_ptr<std::atomic<uint64_t>> round_robin = std::make_unique<std::atomic<uint64_t>>(0);
};

struct RuntimeDistribution {
  const config::Distribution* config = nullptr;
  std::vector<std::unique_ptr<RuntimeOrigin>> origins;
  std::unordered_map<std::string, RuntimeTarget> targets;  // by origin id and group id
  std::unordered_map<int, const config::CustomErrorResponse*> custom_errors;
  obs::DistributionMetrics metrics;  // CloudFront's per-distribution metrics
  // The steps a behavior runs at CloudFront's events; behaviors without any are absent.
  std::unordered_map<const config::CacheBehavior*, PhaseSteps> steps;
  const PhaseSteps* steps_for(const config::CacheBehavior* behavior) const {
    if (steps.empty()) return nullptr;
    auto it = steps.find(behavior);
    return it == steps.end() ? nullptr : &it->second;
  }
};

// How a cacheable request was answered (edgefront_cache_lookups_total{result}).
enum class CacheResult { kHit, kCollapsed, kStale, kRefreshHit, kMiss, kPass, kCount };
// CloudWatch's CacheHitRate counts what the cache answered (a revalidated or stale copy too).
constexpr bool answered_from_cache(CacheResult r) {
  return r != CacheResult::kMiss && r != CacheResult::kPass;
}

class Runtime {
 public:
  static Result<std::shared_ptr<const Runtime>> build(std::shared_ptr<const config::Config> config,
                                                      obs::Registry& registry,
                                                      upstream::HealthRegistry& health,
                                                      const upstream::FaultTable* faults = nullptr,
                                                      const StepProvider* step_provider = nullptr);

  const config::Config& config() const { return *config_; }
  const routing::Router& router() const { return *router_; }
  const RuntimeDistribution& distribution(const config::Distribution* d) const;
  obs::Counter* requests_by_class(int status) const;
  obs::Counter* cache_lookups(CacheResult r) const { return cache_lookups_[static_cast<int>(r)]; }
  obs::Registry& registry() const { return *registry_; }
  // Faults injected through the admin API (process-wide, outlive reloads); may be null.
  const upstream::FaultTable* faults() const { return faults_; }
  const std::vector<RuntimeDistribution>& distributions() const { return distributions_; }
  // Every HTTP origin, for the active health checker.
  std::vector<upstream::ProbeTarget> probe_targets() const;

 private:
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<routing::Router> router_;
  std::vector<RuntimeDistribution> distributions_;
  std::array<obs::Counter*, 5> requests_by_class_{};
  std::array<obs::Counter*, static_cast<int>(CacheResult::kCount)> cache_lookups_{};
  obs::Registry* registry_ = nullptr;
  const upstream::FaultTable* faults_ = nullptr;
};

// The current Runtime, readable from any worker. Workers cache the pointer and re-read it
// only when the generation changes, so the hot path does one relaxed atomic load.
class RuntimeHolder {
 public:
  void publish(std::shared_ptr<const Runtime> runtime);
  std::shared_ptr<const Runtime> load() const { return current_.load(std::memory_order_acquire); }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::shared_ptr<const Runtime>> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace edgefront::proxy
