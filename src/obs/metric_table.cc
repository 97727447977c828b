#include "obs/metric_table.h"

namespace edgefront::obs {

Registry::Registry(unsigned slots)
    : requests(kRequests, slots),
      connections(kConnections, slots),
      origin_requests(kOriginRequests, slots),
      origin_responses(kOriginResponses, slots),
      origin_errors(kOriginErrors, slots),
      origin_failovers(kOriginFailovers, slots),
      origin_served(kOriginServed, slots),
      origin_continuations(kOriginContinuations, slots),
      origin_ejections(kOriginEjections, slots),
      cache_lookups(kCacheLookups, slots),
      fault_events(kFaultEvents, slots),
      faults_applied(kFaultsApplied, slots),
      failover_stopped(kFailoverStopped, slots),
      hedges(kHedges, slots),
      access_log_lines(kAccessLogLines, slots),
      dist_requests(kDistRequests, slots),
      dist_bytes_downloaded(kDistBytesDownloaded, slots),
      dist_bytes_uploaded(kDistBytesUploaded, slots),
      dist_responses(kDistResponses, slots),
      dist_error_codes(kDistErrorCodes, slots),
      dist_cache_lookups(kDistCacheLookups, slots),
      dist_cache_hits(kDistCacheHits, slots),
      attempts_per_request(kAttemptsPerRequest, slots),
      time_to_failover(kTimeToFailover, slots),
      request_duration(kRequestDuration, slots),
      origin_latency(kOriginLatency, slots),
      slots_(slots) {}

std::string Registry::render() const {
  std::string out;
  for (const CounterFamily* f : {&requests,
                                 &connections,
                                 &origin_requests,
                                 &origin_responses,
                                 &origin_errors,
                                 &origin_failovers,
                                 &origin_served,
                                 &origin_continuations,
                                 &origin_ejections,
                                 &cache_lookups,
                                 &fault_events,
                                 &faults_applied,
                                 &failover_stopped,
                                 &hedges,
                                 &access_log_lines,
                                 &dist_requests,
                                 &dist_bytes_downloaded,
                                 &dist_bytes_uploaded,
                                 &dist_responses,
                                 &dist_error_codes,
                                 &dist_cache_lookups,
                                 &dist_cache_hits}) {
    f->render(out);
  }
  attempts_per_request.render(out);
  time_to_failover.render(out);
  request_duration.render(out);
  origin_latency.render(out);
  return out;
}

}  // namespace edgefront::obs
