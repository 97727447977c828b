#include "proxy/origin_attempt.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "upstream/failover_bounds.h"

namespace edgefront::proxy {

const upstream::OriginEndpoint& endpoint_for(const RuntimeOrigin& o, bool viewer_tls) {
  switch (o.config->protocol_policy) {
    case config::OriginProtocolPolicy::kHttpsOnly:
      return o.https_endpoint;
    case config::OriginProtocolPolicy::kMatchViewer:
      return viewer_tls ? o.https_endpoint : o.http_endpoint;
    case config::OriginProtocolPolicy::kHttpOnly:
      break;
  }
  return o.http_endpoint;
}

PreparedAttempt prepare_attempt(const AttemptScope& scope, const RuntimeOrigin& m,
                                upstream::InflightSlot slot, const http::RequestHead& request,
                                std::string_view origin_path, const config::FailoverBounds* bounds,
                                config::Duration elapsed,
                                const upstream::OriginHealth* alternative) {
  const unsigned w = scope.worker.index();
  auto f = std::make_unique<upstream::OriginFetch>(scope.worker.pool(), *m.config,
                                                   endpoint_for(m, scope.viewer.tls));
  if (upstream::FaultRef fault = scope.rt.faults()
                                     ? scope.rt.faults()->find(scope.dist.config->id, m.config->id)
                                     : nullptr) {
    if (fault->applied) fault->applied->add(w);
    f->inject(std::move(fault));
  }
  if (bounds) {
    f->set_connect_timeout(upstream::cap_by_remaining(
        upstream::adapted_connect_timeout(m.config->connection_timeout, m.connect_rtt->smoothed(),
                                          *bounds),
        elapsed, *bounds));
    f->set_head_timeout(upstream::cap_by_remaining(m.config->read_timeout, elapsed, *bounds));
  }
  if (alternative && upstream::is_failover_method(request.method)) {
    f->watch_availability(scope.worker.availability_watch(), *m.health, alternative);
  }
  f->hold(std::move(slot));
  return {std::move(f),
          upstream::build_origin_request(request, origin_path, *m.config, scope.behavior.forwarding,
                                         scope.viewer, scope.rt.config().server.via_name)};
}

void count_attempt(const OriginStats& s, const upstream::AttemptResult& r, unsigned w) {
  using upstream::AttemptOutcome;
  switch (r.outcome) {
    case AttemptOutcome::kResponse: {
      int c = r.status / 100;
      if (c >= 1 && c <= 5) s.responses_by_class[c - 1]->add(w);
      break;
    }
    case AttemptOutcome::kConnectFailed:
      s.connect_errors->add(w);
      break;
    case AttemptOutcome::kConnectTimeout:
    case AttemptOutcome::kReadTimeout:
      s.timeouts->add(w);
      break;
    case AttemptOutcome::kOriginClosed:
      s.closed->add(w);
      break;
    case AttemptOutcome::kBadResponse:
      s.bad_responses->add(w);
      break;
    case AttemptOutcome::kMemberUnavailable:
      s.abandoned->add(w);
      break;
  }
}

bool is_passive_failure(const RuntimeTarget& target, const upstream::AttemptResult& result) {
  if (result.outcome == upstream::AttemptOutcome::kMemberUnavailable) return false;
  if (result.outcome != upstream::AttemptOutcome::kResponse) return true;
  if (result.status < 500 || !target.group) return false;
  const auto& codes = target.group->failover_status_codes;
  return std::find(codes.begin(), codes.end(), result.status) != codes.end();
}

void record_passive_health(const RuntimeTarget& target, size_t i,
                           const upstream::AttemptResult& result, unsigned worker) {
  if (result.outcome == upstream::AttemptOutcome::kMemberUnavailable) return;
  const RuntimeOrigin& o = *target.members[i];
  if (!is_passive_failure(target, result)) {
    o.health->record_success();
    return;
  }
  SteadyTime now = std::chrono::steady_clock::now();
  int ejected = 0;
  for (const RuntimeOrigin* m : target.members) ejected += m->health->ejected(now) ? 1 : 0;
  const config::OutlierDetection& policy = target.group->outlier_detection;
  bool may_eject = upstream::may_eject_another(ejected, static_cast<int>(target.members.size()),
                                               policy.max_ejected_percent);
  if (o.health->record_failure(now, policy, may_eject)) {
    o.stats.ejections->add(worker);
    auto view = o.health->view(now);
    spdlog::warn("origin {} ejected from group {} for {} ms (ejection #{})", o.config->id,
                 target.group->id, view.ejected_for_ms, view.ejections);
  }
}

void record_body_failure(const RuntimeTarget& target, size_t member, bool health_aware,
                         unsigned worker) {
  target.members[member]->stats.body_errors->add(worker);
  if (health_aware) {
    record_passive_health(target, member, {upstream::AttemptOutcome::kOriginClosed, 0}, worker);
  }
}

}  // namespace edgefront::proxy
