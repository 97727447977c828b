// Every metric edgefront exports, declared once.
#pragma once

#include <memory>
#include <string>

#include "obs/histogram.h"
#include "obs/metrics.h"

namespace edgefront::obs {

inline const FamilySpec kRequests{
    "edgefront_requests_total", "Viewer requests answered, by status class.", {"status"}};
inline const FamilySpec kConnections{
    "edgefront_connections_accepted_total", "Viewer connections accepted.", {}};
inline const FamilySpec kOriginRequests{"edgefront_origin_requests_total",
                                        "Attempts sent to an origin (including retries).",
                                        {"distribution", "origin"}};
inline const FamilySpec kOriginResponses{"edgefront_origin_responses_total",
                                         "Origin responses received, by status class.",
                                         {"distribution", "origin", "class"}};
inline const FamilySpec kOriginErrors{
    "edgefront_origin_errors_total",
    "Failed origin attempts by kind: connect, timeout, closed, bad_response, status (a status "
    "listed as a failover criterion), at_limit (not sent: max_concurrent_requests reached), "
    "body (the body broke off after the head: reset, closed or stalled), abandoned (given up "
    "while waiting because the origin was judged unavailable meanwhile).",
    {"distribution", "origin", "kind"}};
inline const FamilySpec kOriginFailovers{"edgefront_origin_failovers_total",
                                         "Requests moved from an origin to the next group member.",
                                         {"distribution", "group", "from"}};
inline const FamilySpec kOriginServed{"edgefront_origin_served_total",
                                      "Responses delivered to viewers, by the origin that served.",
                                      {"distribution", "origin"}};

inline const FamilySpec kOriginContinuations{
    "edgefront_origin_body_continuations_total",
    "Bodies cut off by an origin and continued from this origin with a range request, spliced "
    "into the same response (the viewer and the cache saw one whole body).",
    {"distribution", "origin"}};

inline const FamilySpec kOriginEjections{
    "edgefront_origin_ejections_total",
    "Times an origin was ejected from its group after consecutive failures.",
    {"distribution", "origin"}};

inline const FamilySpec kCacheLookups{
    "edgefront_cache_lookups_total",
    "Cacheable requests by outcome: hit, collapsed (waited for another request's fetch), stale "
    "(stale copy served: while revalidating, on origin error or slowness), refresh_hit "
    "(revalidated with a 304), miss, pass (the response could not be stored).",
    {"result"}};

inline const FamilySpec kFaultEvents{
    "edgefront_faults_total",
    "Origin faults injected and removed through the admin API, by event (injected, removed).",
    {"event"}};
inline const FamilySpec kFaultsApplied{
    "edgefront_fault_applied_total",
    "Origin attempts that met an injected fault, by origin and fault kind.",
    {"distribution", "origin", "kind"}};

inline const FamilySpec kHedges{
    "edgefront_origin_hedges_total",
    "Requests of a group that also asked the next member because the first was slower than "
    "hedge_after.",
    {"distribution", "group"}};
inline const FamilySpec kFailoverStopped{
    "edgefront_failover_stopped_total",
    "Requests of a group whose failover was stopped by a bound: attempts, time (the per-request "
    "budget) or retry_budget.",
    {"distribution", "group", "reason"}};

inline const FamilySpec kAccessLogLines{
    "edgefront_access_log_lines_total",
    "Access log lines by outcome: written to the file, or dropped (the writer's buffer was full "
    "because the disk is slow, or the write failed).",
    {"outcome"}};

inline const HistogramSpec kAttemptsPerRequest{
    "edgefront_origin_attempts_per_request",
    "Origin attempts one viewer request took (retries and failovers included), by target.",
    {"distribution", "target"},
    {1, 2, 3, 4, 5, 6, 8, 10}};
inline const HistogramSpec kTimeToFailover{
    "edgefront_time_to_failover_seconds",
    "For requests that failed over: time from their first attempt to the start of the attempt "
    "on the member that answered last.",
    {"distribution", "group"},
    {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}};

// CloudFront's per-distribution CloudWatch metrics (docs/design/obs.md maps each to its
// CloudWatch name; distribution_metrics.h records them).
inline const FamilySpec kDistRequests{
    "edgefront_distribution_requests_total",
    "Viewer requests answered, all methods (CloudWatch Requests).",
    {"distribution"}};
inline const FamilySpec kDistBytesDownloaded{
    "edgefront_distribution_bytes_downloaded_total",
    "Response body bytes sent to viewers (CloudWatch BytesDownloaded).",
    {"distribution"}};
inline const FamilySpec kDistBytesUploaded{
    "edgefront_distribution_bytes_uploaded_total",
    "Request body bytes received from viewers (CloudWatch BytesUploaded).",
    {"distribution"}};
inline const FamilySpec kDistResponses{
    "edgefront_distribution_responses_total",
    "Viewer responses by status class; over requests: CloudWatch 4xxErrorRate, 5xxErrorRate, "
    "TotalErrorRate.",
    {"distribution", "class"}};
inline const FamilySpec kDistErrorCodes{
    "edgefront_distribution_error_responses_total",
    "Viewer responses with status 401, 403, 404, 502, 503 or 504 (CloudWatch 401ErrorRate ... "
    "504ErrorRate, over requests).",
    {"distribution", "code"}};
inline const FamilySpec kDistCacheLookups{
    "edgefront_distribution_cache_lookups_total",
    "Cacheable requests (CloudWatch CacheHitRate's denominator).",
    {"distribution"}};
inline const FamilySpec kDistCacheHits{
    "edgefront_distribution_cache_hits_total",
    "Cacheable requests answered from the cache: hit, refresh_hit, stale, collapsed (CloudWatch "
    "CacheHitRate's numerator).",
    {"distribution"}};
inline const HistogramSpec kRequestDuration{
    "edgefront_distribution_request_duration_seconds",
    "Viewer request duration: from the request head to the end of the response.",
    {"distribution"},
    {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
     10, 30, 60}};
inline const HistogramSpec kOriginLatency{
    "edgefront_origin_latency_seconds",
    "From sending the request to an origin to its response head (CloudWatch OriginLatency).",
    {"distribution", "origin"},
    {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}};

// The process-wide registry; created once the worker count is known.
class Registry {
 public:
  explicit Registry(unsigned slots);
  CounterFamily requests, connections, origin_requests, origin_responses, origin_errors,
      origin_failovers, origin_served, origin_continuations, origin_ejections, cache_lookups,
      fault_events, faults_applied, failover_stopped, hedges, access_log_lines;
  CounterFamily dist_requests, dist_bytes_downloaded, dist_bytes_uploaded, dist_responses,
      dist_error_codes, dist_cache_lookups, dist_cache_hits;
  HistogramFamily attempts_per_request, time_to_failover, request_duration, origin_latency;
  std::string render() const;
  unsigned slots() const { return slots_; }

 private:
  unsigned slots_;
};

}  // namespace edgefront::obs
