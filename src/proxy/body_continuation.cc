#include "proxy/body_continuation.h"

#include <algorithm>

#include "proxy/origin_attempt.h"
#include "upstream/resume_policy.h"

namespace edgefront::proxy {

BodyContinuation::~BodyContinuation() {
  if (spec_.deferred_success && !current_failed_) {
    spec_.target->members[current_]->health->record_success();
  }
}

void BodyContinuation::body_failed(const Error&) {
  current_failed_ = true;
  record_body_failure(*spec_.target, current_, spec_.health_aware, worker_.index());
}

void BodyContinuation::spliced() {
  spec_.target->members[current_]->stats.continuations->add(worker_.index());
}

net::awaitable<std::unique_ptr<upstream::OriginFetch>> BodyContinuation::continue_from(
    uint64_t offset) {
  const unsigned w = worker_.index();
  const RuntimeTarget& target = *spec_.target;
  const config::FailoverBounds* bounds = target.group ? &target.group->failover : nullptr;
  AttemptScope scope{worker_, *spec_.rt, *spec_.dist, *spec_.behavior, spec_.viewer};
  while (next_ < spec_.next_members.size()) {
    const size_t i = spec_.next_members[next_++];
    const RuntimeOrigin& m = *target.members[i];
    if (m.directory) continue;
    if (spec_.health_aware && !m.health->available(std::chrono::steady_clock::now())) continue;
    upstream::InflightSlot slot =
        upstream::InflightSlot::acquire(*m.in_flight, m.config->max_concurrent_requests);
    if (!slot) {
      m.at_limit->add(w);
      continue;
    }
    m.stats.requests->add(w);
    PreparedAttempt attempt = prepare_attempt(scope, m, std::move(slot), spec_.request,
                                              spec_.origin_path, bounds, {}, nullptr);
    upstream::make_continuation_request(attempt.request, *spec_.plan, offset);
    upstream::AttemptResult result = co_await attempt.fetch->start(attempt.request, {});
    count_attempt(m.stats, result, w);
    if (auto took = attempt.fetch->connect_duration()) m.connect_rtt->record(*took);
    const bool failed = is_passive_failure(target, result);
    if (spec_.health_aware && failed) record_passive_health(target, i, result, w);
    if (failed || result.outcome != upstream::AttemptOutcome::kResponse) continue;
    current_ = i;
    current_failed_ = false;
    spec_.deferred_success = spec_.health_aware;
    co_return std::move(attempt.fetch);
  }
  co_return nullptr;
}

std::unique_ptr<BodyContinuation> make_body_continuation(
    WorkerContext& worker, std::shared_ptr<const Runtime> rt, const RuntimeDistribution& dist,
    const config::CacheBehavior& behavior, const upstream::ViewerInfo& viewer,
    const AnsweredBy& answered, const http::RequestHead& request, std::string_view origin_path,
    upstream::OriginFetch& fetch) {
  BodyContinuationSpec spec;
  spec.dist = &dist;
  spec.behavior = &behavior;
  spec.target = &answered.target;
  spec.viewer = viewer;
  spec.answering = answered.order[answered.k];
  spec.health_aware = answered.health_aware;
  spec.deferred_success = answered.deferred_success;
  spec.plan = upstream::plan_resume(request, fetch.head(), fetch.body_length());
  if (spec.plan) {
    if (answered.target.group) {
      spec.next_members.assign(answered.order.begin() + static_cast<std::ptrdiff_t>(answered.k) + 1,
                               answered.order.end());
    } else {
      const int left =
          answered.target.members[spec.answering]->config->connection_attempts - answered.attempt;
      spec.next_members.assign(static_cast<size_t>(std::max(0, left)), spec.answering);
    }
    spec.request = request;
    spec.origin_path = origin_path;
  }
  spec.rt = std::move(rt);
  return std::make_unique<BodyContinuation>(worker, std::move(spec));
}

}  // namespace edgefront::proxy
