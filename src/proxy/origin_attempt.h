// One attempt on an origin as the pipeline and body continuations make it: the exchange with
// its fault, timeouts, concurrency slot and availability watch; and what its outcome leaves
// behind (per-origin counters, passive health).
#pragma once

#include <memory>
#include <string_view>

#include "proxy/runtime.h"
#include "proxy/worker_context.h"
#include "upstream/failover_policy.h"
#include "upstream/origin_fetch.h"
#include "upstream/origin_request.h"

namespace edgefront::proxy {

const upstream::OriginEndpoint& endpoint_for(const RuntimeOrigin& o, bool viewer_tls);

struct PreparedAttempt {
  std::unique_ptr<upstream::OriginFetch> fetch;
  http::RequestHead request;  // what goes to this origin
};

// Where an attempt goes and on whose behalf.
struct AttemptScope {
  WorkerContext& worker;
  const Runtime& rt;
  const RuntimeDistribution& dist;
  const config::CacheBehavior& behavior;
  const upstream::ViewerInfo& viewer;
};

// The exchange for `request` (the viewer's, before rewriting) on `m`. With `bounds` (groups)
// the connect timeout adapts to the measured connect time (unless the group is
// CloudFront-exact) and both timeouts are cut to what is left of max_time after `elapsed`.
// With `alternative` (the next member a failover method would move to), the worker's
// AvailabilityWatch moves the attempt there as soon as `m` is judged unavailable.
PreparedAttempt prepare_attempt(const AttemptScope& scope, const RuntimeOrigin& m,
                                upstream::InflightSlot slot, const http::RequestHead& request,
                                std::string_view origin_path, const config::FailoverBounds* bounds,
                                config::Duration elapsed,
                                const upstream::OriginHealth* alternative);

void count_attempt(const OriginStats& s, const upstream::AttemptResult& r, unsigned worker);

// Whether an outcome counts against a group member: transport failures and 5xx statuses that
// are failover criteria. An attempt given up because the member was judged unavailable is no
// new evidence either way.
bool is_passive_failure(const RuntimeTarget& target, const upstream::AttemptResult& result);

// Passive health: failures count against the member, enough in a row eject it (within the
// group's cap on ejected members); a success resets the count. Health-aware groups only.
void record_passive_health(const RuntimeTarget& target, size_t member,
                           const upstream::AttemptResult& result, unsigned worker);

// The same for a body broken off after its head: an origin failure like a 5xx.
void record_body_failure(const RuntimeTarget& target, size_t member, bool health_aware,
                         unsigned worker);

}  // namespace edgefront::proxy
