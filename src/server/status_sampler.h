// The status page's memory (GET / and /status.json on the admin listener): once a second the
// control thread reads the summed counters into ten minutes of per-second points per
// distribution and origin, and watches health verdicts, failover counters, faults and
// invalidations for changes, which it keeps as events. Workers are not involved: health is
// already atomics they publish, counters are summed on read. Control thread only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cache/invalidation.h"
#include "obs/distribution_metrics.h"
#include "obs/status_history.h"
#include "proxy/runtime.h"
#include "upstream/fault_table.h"

namespace edgefront::server {

class StatusSampler {
 public:
  static constexpr size_t kSeconds = 600;  // the series' length
  static constexpr size_t kEvents = 200;

  StatusSampler(const proxy::RuntimeHolder& runtime, const cache::InvalidationBoard& invalidations,
                const upstream::FaultTable* faults)
      : runtime_(runtime), invalidations_(invalidations), faults_(faults) {}

  // Once a second: one point of every series, then watch().
  void sample();
  // Events only: origin health changes, failovers, the member serving each group, faults and
  // invalidations. Also run for each /status.json, so the page hears of a change at once.
  void watch();
  // GET /status.json.
  std::string render_json();

 private:
  struct DistPoint {
    int64_t t_ms;
    uint64_t requests, lookups, hits, errors_4xx, errors_5xx, bytes_downloaded;
  };
  struct LatencyPoint {
    int64_t t_ms;
    uint64_t count;
    double mean_ms, p99_ms;
  };
  // Counters live as long as the process: the first point counts from zero (from start).
  struct DistSeries {
    obs::DistributionMetrics::Totals last;
    obs::BoundedLog<DistPoint> points{kSeconds};
  };
  struct OriginSeries {
    obs::HistogramSnapshot last;
    obs::BoundedLog<LatencyPoint> points{kSeconds};
  };
  struct GroupWatch {
    obs::FailoverEpisodes episodes{std::chrono::seconds(5)};
    std::vector<uint64_t> served;     // per member, at the last look
    std::vector<uint64_t> failovers;  // per member, at the last look
    int serving = -1;
  };

  void watch_origins(const proxy::RuntimeDistribution& d, int64_t now_ms);
  void watch_groups(const proxy::RuntimeDistribution& d, int64_t now_ms);
  void watch_faults(int64_t now_ms);
  void watch_invalidations(int64_t now_ms);
  void add_event(int64_t now_ms, std::string kind, std::string distribution, std::string subject,
                 std::string detail);
  int serving_or_first_available(const proxy::RuntimeTarget& t, const GroupWatch* w) const;

  const proxy::RuntimeHolder& runtime_;
  const cache::InvalidationBoard& invalidations_;
  const upstream::FaultTable* faults_;
  std::map<std::string, DistSeries> distributions_;  // by distribution id
  std::map<std::pair<std::string, std::string>, OriginSeries> origin_series_;
  std::map<std::pair<std::string, std::string>, obs::OriginHealthSample> health_;
  std::map<std::pair<std::string, std::string>, GroupWatch> groups_;  // (distribution, group)
  std::map<uint64_t, upstream::FaultRef> faults_seen_;
  std::optional<size_t> invalidations_seen_;
  obs::BoundedLog<obs::StatusEvent> events_{kEvents};
};

}  // namespace edgefront::server
