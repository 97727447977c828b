#include "proxy/pipeline.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <random>

#include "http/error_page.h"
#include "http/https_redirect.h"
#include "proxy/attempt_race.h"
#include "proxy/body_continuation.h"
#include "proxy/origin_attempt.h"
#include "proxy/policy_sink.h"
#include "proxy/recording_sink.h"
#include "proxy/request.h"
#include "proxy/step_sink.h"
#include "routing/misdirected.h"
#include "upstream/failover_bounds.h"
#include "upstream/failover_policy.h"
#include "upstream/load_balancer.h"

namespace edgefront::proxy {

namespace {

constexpr size_t kMaxReplayableBody = 64 * 1024;
constexpr size_t kFileChunk = 64 * 1024;

const char* outcome_name(upstream::AttemptOutcome o) {
  switch (o) {
    case upstream::AttemptOutcome::kResponse:
      return "response";
    case upstream::AttemptOutcome::kConnectFailed:
      return "connect-failed";
    case upstream::AttemptOutcome::kConnectTimeout:
      return "connect-timeout";
    case upstream::AttemptOutcome::kReadTimeout:
      return "read-timeout";
    case upstream::AttemptOutcome::kOriginClosed:
      return "closed";
    case upstream::AttemptOutcome::kBadResponse:
      return "bad-response";
    case upstream::AttemptOutcome::kMemberUnavailable:
      return "unavailable";
  }
  return "error";
}

// CloudFront's x-edge-detailed-result-type for an origin that gave no usable answer.
std::string_view detailed_error_type(upstream::AttemptOutcome o) {
  switch (o) {
    case upstream::AttemptOutcome::kConnectFailed:
    case upstream::AttemptOutcome::kConnectTimeout:
      return "OriginConnectError";
    case upstream::AttemptOutcome::kReadTimeout:
    case upstream::AttemptOutcome::kOriginClosed:
      return "OriginReadError";
    case upstream::AttemptOutcome::kBadResponse:
      return "OriginInvalidResponseError";
    case upstream::AttemptOutcome::kMemberUnavailable:
    case upstream::AttemptOutcome::kResponse:
      break;
  }
  return "OriginError";
}

// Origin failures can come by the thousand during an outage: log at most one per second
// per worker; counters carry the totals.
void log_origin_failure(const std::string& origin_id, std::string_view what) {
  thread_local SteadyTime last{};
  SteadyTime now = std::chrono::steady_clock::now();
  if (now - last < std::chrono::seconds(1)) return;
  last = now;
  spdlog::warn("origin {}: {}", origin_id, what);
}

// Health-aware groups skip members known to be down (active check or ejection), so a dead
// primary costs a request nothing; when every member is down, all are tried in order anyway
// (failing fast is no better than trying). CloudFront mode always tries in order.
std::vector<size_t> choose_members(const RuntimeTarget& target, bool health_aware,
                                   bool note_skipped, std::string& attempts,
                                   std::string_view lb_key) {
  std::vector<size_t> order;
  order.reserve(target.members.size());
  SteadyTime now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < target.members.size(); ++i) {
    if (!health_aware || target.members[i]->health->available(now)) {
      order.push_back(i);
    } else if (note_skipped) {
      if (!attempts.empty()) attempts += ", ";
      attempts += fmt::format("{}=skipped-unhealthy", target.members[i]->config->id);
    }
  }
  if (order.empty()) {
    for (size_t i = 0; i < target.members.size(); ++i) order.push_back(i);
  } else if (health_aware && target.group) {
    // A member re-admitted after an ejection leads only its growing share of requests; for
    // the others it stays in the order, behind the rest, as a fallback.
    thread_local std::minstd_rand share_random(std::random_device{}());
    std::stable_partition(order.begin(), order.end(), [&](size_t i) {
      double share =
          target.members[i]->health->admission_share(now, target.group->outlier_detection);
      return share >= 1.0 || std::uniform_real_distribution<double>(0.0, 1.0)(share_random) < share;
    });
  }
  // Active-active: the balancer picks who goes first among the available members; the others
  // stay in list order behind it for failover.
  const auto mode =
      target.group ? target.group->load_balancing : config::OriginGroup::LoadBalancing::kPriority;
  if (mode != config::OriginGroup::LoadBalancing::kPriority && order.size() > 1) {
    std::vector<upstream::LbMember> candidates(order.size());
    const std::vector<int>& weights = target.group->weights;
    for (size_t j = 0; j < order.size(); ++j) {
      const RuntimeOrigin& o = *target.members[order[j]];
      candidates[j] = {o.config->id, true, order[j] < weights.size() ? weights[order[j]] : 1,
                       o.in_flight->current(), o.latency->microseconds()};
    }
    thread_local std::minstd_rand random(std::random_device{}());
    std::optional<size_t> first = upstream::pick_member(
        mode, candidates, lb_key, target.round_robin->fetch_add(1, std::memory_order_relaxed),
        random(), random());
    if (first && *first > 0) {
      std::rotate(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(*first),
                  order.begin() + static_cast<std::ptrdiff_t>(*first) + 1);
    }
  }
  return order;
}

// What consistent hashing keys on: the path and query for now. When the cache lands this
// becomes the cache key, so a shield sees the same objects from every edge.
std::string_view load_balancing_key(const http::RequestHead& request) { return request.target; }

// A listed 429/503 with Retry-After rests the member for that long (at most the group's
// max_ejection) instead of hammering it; health-aware groups only.
void honor_retry_after(const RuntimeTarget& target, size_t i, upstream::OriginFetch& fetch,
                       const upstream::AttemptResult& result) {
  if (result.outcome != upstream::AttemptOutcome::kResponse ||
      (result.status != 429 && result.status != 503) || !target.group->failover.honor_retry_after) {
    return;
  }
  const auto& codes = target.group->failover_status_codes;
  if (std::find(codes.begin(), codes.end(), result.status) == codes.end()) return;
  std::optional<std::string_view> header = fetch.head().headers.get("Retry-After");
  if (!header) return;
  auto wait = upstream::parse_retry_after(*header, std::chrono::system_clock::now());
  if (!wait || *wait <= config::Duration::zero()) return;
  *wait = std::min(*wait, target.group->outlier_detection.max_ejection);
  target.members[i]->health->rest_until(std::chrono::steady_clock::now() + *wait);
}

// Records, when a fetch ends (whichever way it returns), how many attempts it took and, if
// it failed over, how long the failed members cost before the last one was tried.
struct FetchObservation {
  const RuntimeTarget& target;
  unsigned worker;
  const int& attempts_made;
  SteadyTime started;
  const std::optional<SteadyTime>& failed_over_at;
  ~FetchObservation() {
    if (target.attempts && attempts_made > 0) target.attempts->observe(worker, attempts_made);
    if (target.time_to_failover && failed_over_at) {
      target.time_to_failover->observe(
          worker, std::chrono::duration<double>(*failed_over_at - started).count());
    }
  }
};

config::Duration since(SteadyTime start) {
  return std::chrono::duration_cast<config::Duration>(std::chrono::steady_clock::now() - start);
}

// A file response to HEAD carries no body but announces the GET body's length.
http::BodyLength file_body_length(const upstream::FileResponse& file, http::Method method) {
  if (file.fd) return http::BodyLength::known(file.length);
  if (method == http::Method::kHead) {
    if (auto cl = file.head.headers.get("Content-Length")) {
      uint64_t n = 0;
      auto [p, err] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
      if (err == std::errc() && p == cl->data() + cl->size()) return http::BodyLength::known(n);
    }
  }
  return http::BodyLength::known(file.body.size());
}

std::string allow_header(http::MethodSet allowed) {
  std::string out;
  for (auto m :
       {http::Method::kGet, http::Method::kHead, http::Method::kOptions, http::Method::kPut,
        http::Method::kPost, http::Method::kPatch, http::Method::kDelete}) {
    if (!allowed.contains(m)) continue;
    if (!out.empty()) out += ", ";
    out += http::method_name(m);
  }
  return out;
}

}  // namespace

net::awaitable<void> ProxyHandler::handle(http::Exchange& exchange) {
  const SteadyTime start = std::chrono::steady_clock::now();
  Request r(exchange, worker_.runtime());
  int status = co_await serve(r);
  if (status > 0) record_answer(r, status, start);
  log_request(r);
}

void ProxyHandler::record_answer(const Request& r, int status, SteadyTime start) const {
  r.rt->requests_by_class(status)->add(worker_.index());
  r.dist->metrics.record_request(
      worker_.index(), status, r.ex.body.bytes_read(), r.ex.response.body_bytes_sent(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

void ProxyHandler::count_lookup(const Request& r, CacheResult result) const {
  r.rt->cache_lookups(result)->add(worker_.index());
  r.dist->metrics.record_lookup(worker_.index(), answered_from_cache(result));
}

routing::Route ProxyHandler::route(Request& r) const {
  const http::RequestHead& req = r.ex.request;
  std::string_view host = req.headers.get("Host").value_or("");
  routing::Route route = r.rt->router().route(host, req.path());
  r.dist = &r.rt->distribution(route.distribution);
  r.behavior = route.behavior;
  return route;
}

net::awaitable<int> ProxyHandler::serve(Request& r) {
  routing::Route route = this->route(r);
  // A refused Host belongs to no distribution: no behavior's policy or steps apply to the
  // answer, and no distribution logs it.
  if (route.unknown_host) {
    r.unrouted = true;
    co_return co_await serve_routed(r, route);
  }
  const bool recording = logs(r);
  const PhaseSteps* steps = r.dist->steps_for(r.behavior);
  const bool stepping = steps && !steps->viewer_response.empty();
  if (!r.behavior->response_headers_policy && !recording && !stepping) {
    co_return co_await serve_routed(r, route);
  }
  // Every answer of this behavior, even the edge's own, passes the policy, then the
  // viewer-response steps, on its way out; a logged request's head is noted last.
  http::RequestHead& req = r.ex.request;
  std::optional<RecordingSink> recorder;
  http::ResponseSink* sink = &r.ex.response;
  if (recording) sink = &recorder.emplace(*sink, r.record);
  std::optional<StepSink> stepper;
  if (stepping) {
    sink = &stepper.emplace(*sink, steps->viewer_response, req, step_context(r), r.record);
  }
  std::optional<PolicySink> policy;
  if (r.behavior->response_headers_policy) {
    sink = &policy.emplace(*sink, *r.behavior->response_headers_policy, req);
  }
  http::Exchange exchange{req, r.ex.body, *sink, r.ex.viewer, r.ex.received, r.ex.head_bytes};
  Request wrapped(exchange, r.rt, r.record);
  wrapped.dist = r.dist;
  wrapped.behavior = r.behavior;
  co_return co_await serve_routed(wrapped, route);
}

std::optional<ProxyHandler::Refusal> ProxyHandler::refusal(const Request& r,
                                                           const routing::Route& route) const {
  const http::RequestHead& req = r.ex.request;
  if (auto refused = routing::host_refusal(route, req.headers.get("Host").value_or(""),
                                           r.ex.viewer.server_name)) {
    return Refusal{refused->status, refused->reason, {}};
  }
  if (!route.distribution->enabled) return Refusal{403, "This distribution is disabled.", {}};

  // Viewer protocol policy (CloudFront: 301 for GET/HEAD, 307 for other methods on
  // HTTP/1.1, 403 below HTTP/1.1; https-only: 403).
  if (!r.viewer.tls) {
    constexpr std::string_view kHttpsOnly = "This distribution only accepts HTTPS.";
    switch (r.behavior->viewer_protocol_policy) {
      case config::ViewerProtocolPolicy::kAllowAll:
        break;
      case config::ViewerProtocolPolicy::kHttpsOnly:
        return Refusal{403, kHttpsOnly, {}};
      case config::ViewerProtocolPolicy::kRedirectToHttps: {
        bool safe = req.method == http::Method::kGet || req.method == http::Method::kHead;
        if (!safe && !req.version.at_least_1_1()) return Refusal{403, kHttpsOnly, {}};
        std::string_view host = req.headers.get("Host").value_or("");
        std::optional<std::string> location =
            http::https_redirect_location(host, worker_.https_port(), req.target);
        if (!location) return Refusal{403, kHttpsOnly, {}};
        http::HeaderList extra;
        extra.add("Location", std::move(*location));
        return Refusal{safe ? 301 : 307, "Moved to HTTPS.", std::move(extra)};
      }
    }
  }

  if (req.method == http::Method::kOther) {
    http::HeaderList extra;
    extra.add("Allow", allow_header(r.behavior->allowed_methods));
    return Refusal{405, "This method is not supported.", std::move(extra)};
  }
  if (!r.behavior->allowed_methods.contains(req.method)) {
    return Refusal{403,
                   "This distribution is not configured to allow the HTTP request method that "
                   "was used for this request.",
                   {}};
  }
  if ((req.method == http::Method::kGet || req.method == http::Method::kHead) && req.has_body()) {
    return Refusal{403, "A GET or HEAD request must not have a body.", {}};
  }
  return std::nullopt;
}

net::awaitable<int> ProxyHandler::serve_routed(Request& r, const routing::Route& route) {
  http::RequestHead& req = r.ex.request;
  if (std::optional<Refusal> refused = refusal(r, route)) {
    if (refused->status == 301 || refused->status == 307) {
      note_result(r, obs::EdgeResult::kRedirect);
    }
    co_return co_await respond_generated(r, refused->status, refused->reason,
                                         std::move(refused->extra));
  }
  // What the origin is asked for: the routed path, or the path a step rewrote the URI to.
  std::string_view origin_path = route.origin_path;
  std::string rewritten_path;
  if (const PhaseSteps* steps = r.dist->steps_for(r.behavior)) {
    const std::string routed_target = req.target;
    if (std::optional<GeneratedAnswer> answer =
            run_request_steps(steps->viewer_request, req, step_context(r))) {
      co_return co_await respond_answer(r, std::move(*answer));
    }
    if (req.target != routed_target) origin_path = rewritten_path = std::string(req.path());
  }

  if (req.has_body()) {
    if (upstream::is_failover_method(req.method)) {
      // Bodies of requests that may fail over must be replayable: buffer them (small only).
      while (true) {
        auto chunk = co_await r.ex.body.read();
        if (!chunk.ok()) {
          co_return co_await respond_generated(
              r, chunk.error().kind == ErrorKind::kTooLarge ? 413 : 400, chunk.error().message);
        }
        if (chunk.value().empty()) break;
        r.buffered_body.append(chunk.value().data(), chunk.value().size());
        if (r.buffered_body.size() > kMaxReplayableBody) {
          co_return co_await respond_generated(r, 413, "Request body too large for this method.");
        }
      }
      r.body.buffered = r.buffered_body;
      r.body.length = r.buffered_body.size();
    } else {
      r.body.stream = &r.ex.body;
      r.body.chunked = req.chunked;
      r.body.length = req.content_length.value_or(0);
    }
  }

  auto target = r.dist->targets.find(r.behavior->target_origin_id);
  if (target == r.dist->targets.end()) {
    co_return co_await respond_generated(r, 500, "The cache behavior has no target origin.");
  }
  if (cacheable(r)) co_return co_await serve_cacheable(r, target->second, origin_path);
  Upstreamed up = co_await fetch_target(r, target->second, req, origin_path);
  http::HeaderList extra;
  if (worker_.cache().store) {
    extra.add("X-Cache",
              note_result(r, up.status >= 400 ? obs::EdgeResult::kError : obs::EdgeResult::kMiss));
    extra.add("Cache-Status", "edgefront; fwd=bypass");
  }
  // Before the viewer hears back, so its next request cannot meet the old copy.
  if (up.kind != Upstreamed::Kind::kFailure) invalidate_after_unsafe(r, up.status);
  co_return co_await deliver(r, up, true, std::move(extra));
}

net::awaitable<Upstreamed> ProxyHandler::fetch_target(Request& r, const RuntimeTarget& target,
                                                      const http::RequestHead& viewer_request,
                                                      std::string_view origin_path) {
  // Not a coroutine itself: without steps the attempts' frame is the only one.
  const PhaseSteps* steps = r.dist->steps_for(r.behavior);
  if (!steps || (steps->origin_request.empty() && steps->origin_response.empty())) {
    return fetch_attempts(r, target, viewer_request, origin_path);
  }
  return fetch_with_steps(r, target, *steps, viewer_request, origin_path);
}

// The origin-request steps may rewrite what goes to the origin or answer instead of it; the
// origin-response steps may rewrite the answer's head or replace the answer.
net::awaitable<Upstreamed> ProxyHandler::fetch_with_steps(Request& r, const RuntimeTarget& target,
                                                          const PhaseSteps& steps,
                                                          const http::RequestHead& viewer_request,
                                                          std::string_view origin_path) {
  http::RequestHead origin_request = viewer_request;
  if (std::optional<GeneratedAnswer> answer =
          run_request_steps(steps.origin_request, origin_request, step_context(r))) {
    co_return generated_upstream(std::move(*answer), origin_request.method);
  }
  // A rewritten URI is what the origin is asked for.
  std::string rewritten_path;
  if (origin_request.target != viewer_request.target) {
    rewritten_path = std::string(origin_request.path());
    origin_path = rewritten_path;
  }
  Upstreamed up = co_await fetch_attempts(r, target, origin_request, origin_path);
  if (up.kind == Upstreamed::Kind::kFailure) co_return up;
  http::ResponseHead& head = up.kind == Upstreamed::Kind::kOrigin ? up.fetch->head() : up.file.head;
  if (std::optional<GeneratedAnswer> answer =
          run_response_steps(steps.origin_response, origin_request, head, step_context(r))) {
    co_return generated_upstream(std::move(*answer), origin_request.method);
  }
  up.status = head.status;
  co_return up;
}

net::awaitable<Upstreamed> ProxyHandler::fetch_attempts(Request& r, const RuntimeTarget& target,
                                                        const http::RequestHead& viewer_request,
                                                        std::string_view origin_path) {
  using upstream::AttemptOutcome;
  using upstream::Decision;
  const unsigned w = worker_.index();
  const config::Config& cfg = r.rt->config();
  const std::vector<int>* codes = target.group ? &target.group->failover_status_codes : nullptr;
  Upstreamed up;
  const bool health_aware =
      target.group && target.group->selection == config::OriginGroup::Selection::kHealthAware;
  std::vector<size_t> order = choose_members(target, health_aware, cfg.server.served_by_header,
                                             up.attempts, load_balancing_key(viewer_request));
  // Bounded failover (groups only): the per-request budget and the retry budget.
  const config::FailoverBounds* bounds = target.group ? &target.group->failover : nullptr;
  const SteadyTime started = std::chrono::steady_clock::now();
  int attempts_made = 0;
  std::optional<SteadyTime> failed_over_at;
  FetchObservation observation{target, w, attempts_made, started, failed_over_at};
  struct Hedged {
    std::unique_ptr<upstream::OriginFetch> fetch;
    upstream::AttemptResult result;
  };
  std::optional<Hedged> hedged;  // the next member's answer to a hedged request
  // What an attempt on `m` sends, with its fault, timeouts, concurrency slot and, for a
  // health-aware group, the member it would move to once `m` is judged unavailable.
  const AttemptScope scope{worker_, *r.rt, *r.dist, *r.behavior, r.viewer};
  auto prepare_fetch = [&](const RuntimeOrigin& m, upstream::InflightSlot slot,
                           const upstream::OriginHealth* alternative = nullptr) {
    auto [f, request] = prepare_attempt(scope, m, std::move(slot), viewer_request, origin_path,
                                        bounds, since(started), alternative);
    return std::make_pair(std::move(f), std::move(request));
  };
  auto alternative_after = [&](size_t k) -> const upstream::OriginHealth* {
    return health_aware && k + 1 < order.size() ? target.members[order[k + 1]]->health : nullptr;
  };

  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    const RuntimeOrigin& o = *target.members[i];
    for (int attempt = 1;; ++attempt) {
      // Circuit breaking: an origin at max_concurrent_requests is passed over, not tried.
      upstream::InflightSlot slot;
      const bool from_hedge = hedged && k == 1 && attempt == 1;
      if (!o.directory && !from_hedge) {
        slot = upstream::InflightSlot::acquire(*o.in_flight, o.config->max_concurrent_requests);
        if (!slot) {
          o.at_limit->add(w);
          if (cfg.server.served_by_header) {
            if (!up.attempts.empty()) up.attempts += ", ";
            up.attempts += fmt::format("{}=at-limit", o.config->id);
          }
          if (k + 1 < order.size()) break;
          up.kind = Upstreamed::Kind::kFailure;
          up.status = 503;
          r.record.result = r.record.response_result = obs::EdgeResult::kLimitExceeded;
          up.failure_reason = fmt::format("Origin {} is at its limit of {} concurrent requests.",
                                          o.config->id, o.config->max_concurrent_requests);
          co_return up;
        }
      }
      if (!from_hedge) {
        o.stats.requests->add(w);
        ++attempts_made;
        ++r.record.attempts;
      }
      if (bounds && bounds->retry_budget_percent > 0) {
        o.retry_budget->record_attempt(std::chrono::steady_clock::now());
      }
      upstream::AttemptResult result;
      std::unique_ptr<upstream::OriginFetch> fetch;
      upstream::FileResponse file;
      if (o.directory) {
        file = o.directory->respond(viewer_request,
                                    fmt::format("{}{}", o.config->origin_path, origin_path));
        result = {AttemptOutcome::kResponse, file.head.status};
      } else if (from_hedge) {
        // The hedge already asked this member while the primary was slow.
        fetch = std::move(hedged->fetch);
        result = hedged->result;
        hedged.reset();
      } else {
        auto [prepared, origin_request] = prepare_fetch(o, std::move(slot), alternative_after(k));
        fetch = std::move(prepared);
        const SteadyTime attempt_start = std::chrono::steady_clock::now();
        const bool may_hedge = k == 0 && attempt == 1 && bounds &&
                               bounds->hedge_after.count() > 0 && order.size() > 1 &&
                               !target.members[order[1]]->directory && !r.ex.request.has_body() &&
                               (viewer_request.method == http::Method::kGet ||
                                viewer_request.method == http::Method::kHead);
        if (!may_hedge) {
          result = co_await fetch->start(origin_request, r.body);
        } else {
          // Hedging: if the primary has no answer after hedge_after, ask the next member too
          // and take whichever answers usefully first.
          AttemptRace race(co_await asio::this_coro::executor, r.rt);
          race.launch(std::move(fetch), std::move(origin_request));
          auto usable = [&](size_t leg) {
            const upstream::AttemptResult& a = race.result(leg);
            return a.outcome == AttemptOutcome::kResponse &&
                   (!codes || std::find(codes->begin(), codes->end(), a.status) == codes->end());
          };
          std::optional<size_t> done = co_await race.next_finished(bounds->hedge_after);
          if (!done) {
            const RuntimeOrigin& next = *target.members[order[1]];
            upstream::InflightSlot next_slot = upstream::InflightSlot::acquire(
                *next.in_flight, next.config->max_concurrent_requests);
            if (next_slot) {
              next.stats.requests->add(w);
              ++attempts_made;
              ++r.record.attempts;
              target.hedges->add(w);
              auto [hedge_fetch, hedge_request] = prepare_fetch(next, std::move(next_slot));
              race.launch(std::move(hedge_fetch), std::move(hedge_request));
            }
            while (!done || !(usable(*done) || race.all_finished())) {
              done = co_await race.next_finished();
              if (!done) break;
            }
          }
          if (done && *done == 1 && usable(1)) {
            // The hedge answered first: the primary is left behind (a late answer is
            // dropped, but still counts for its health) and the loop moves on to the member
            // that answered.
            if (health_aware && !race.finished(0)) {
              race.on_late_result(0, [&target, i, w](const upstream::AttemptResult& late) {
                record_passive_health(target, i, late, w);
              });
            }
            hedged = Hedged{race.take(1), race.result(1)};
            if (cfg.server.served_by_header) {
              if (!up.attempts.empty()) up.attempts += ", ";
              up.attempts += fmt::format("{}=hedged", o.config->id);
            }
            break;
          }
          result = race.result(0);
          fetch = race.take(0);
          if (race.size() > 1 && race.all_finished()) {
            // Neither answer was usable: the hedge's stands in for the failover attempt.
            hedged = Hedged{race.take(1), race.result(1)};
          }
        }
        if (result.outcome == AttemptOutcome::kResponse) {
          const auto took = std::chrono::steady_clock::now() - attempt_start;
          o.latency->record(std::chrono::duration_cast<std::chrono::microseconds>(took));
          o.stats.latency->observe(w, std::chrono::duration<double>(took).count());
        }
      }
      count_attempt(o.stats, result, w);
      // A good head's success counts once its body has not broken off (BodyContinuation).
      const bool defer_success = fetch && result.outcome == AttemptOutcome::kResponse &&
                                 !is_passive_failure(target, result);
      if (health_aware && !defer_success) record_passive_health(target, i, result, w);
      if (fetch) {
        if (auto took = fetch->connect_duration()) {
          o.connect_rtt->record(*took);
        } else if (result.outcome == AttemptOutcome::kConnectTimeout) {
          o.connect_rtt->record_timeout(
              std::chrono::duration_cast<std::chrono::microseconds>(fetch->connect_timeout()),
              bounds ? bounds->connect_multiplier : config::FailoverBounds{}.connect_multiplier);
        }
        if (health_aware) honor_retry_after(target, i, *fetch, result);
      }
      if (cfg.server.served_by_header) {
        if (!up.attempts.empty()) up.attempts += ", ";
        up.attempts += result.outcome == AttemptOutcome::kResponse
                           ? fmt::format("{}={}", o.config->id, result.status)
                           : fmt::format("{}={}", o.config->id, outcome_name(result.outcome));
      }
      if (result.outcome != AttemptOutcome::kResponse && fetch) {
        log_origin_failure(o.config->id, fetch->error_detail());
      }

      upstream::FailoverContext ctx{codes, k + 1 < order.size(), attempt,
                                    o.config->connection_attempts};
      Decision decision = upstream::decide_failover(viewer_request.method, result, ctx);
      if (decision == Decision::kDeliver && bounds &&
          upstream::may_fail_over_unsent(viewer_request.method, result.outcome,
                                         k + 1 < order.size(), *bounds)) {
        decision = Decision::kNextOrigin;
      }
      // A body streamed from the viewer cannot be sent again.
      if (fetch && fetch->request_body_consumed()) decision = Decision::kDeliver;
      if (decision != Decision::kDeliver && bounds) {
        upstream::FailoverStop stop =
            upstream::failover_budget_check(attempts_made, since(started), *bounds);
        if (stop == upstream::FailoverStop::kNone && bounds->retry_budget_percent > 0) {
          const RuntimeOrigin& next =
              decision == Decision::kRetrySameOrigin ? o : *target.members[order[k + 1]];
          if (!next.retry_budget->try_retry(std::chrono::steady_clock::now(), *bounds)) {
            stop = upstream::FailoverStop::kRetryBudget;
          }
        }
        if (stop != upstream::FailoverStop::kNone) {
          target.failover_stopped[static_cast<size_t>(stop) - 1]->add(w);
          if (cfg.server.served_by_header) {
            up.attempts += fmt::format(", stopped={}", upstream::failover_stop_name(stop));
          }
          decision = Decision::kDeliver;
        }
      }
      if (decision == Decision::kRetrySameOrigin) continue;
      if (decision == Decision::kNextOrigin) {
        if (result.outcome == AttemptOutcome::kResponse) o.stats.failover_statuses->add(w);
        target.failovers_from[i]->add(w);
        failed_over_at = std::chrono::steady_clock::now();
        break;
      }
      if (fetch && fetch->viewer_error()) {
        // The viewer's body failed while uploading (too large, malformed, too slow): the
        // viewer's fault, not the origin's.
        const Error& e = *fetch->viewer_error();
        up.kind = Upstreamed::Kind::kFailure;
        up.status = e.kind == ErrorKind::kTooLarge        ? 413
                    : e.kind == ErrorKind::kViewerTimeout ? 408
                                                          : 400;
        up.failure_reason = e.message;
        co_return up;
      }
      if (result.outcome == AttemptOutcome::kResponse) {
        up.kind = fetch ? Upstreamed::Kind::kOrigin : Upstreamed::Kind::kFile;
        up.fetch = std::move(fetch);
        up.file = std::move(file);
        up.origin = &o;
        up.status = result.status;
        if (up.fetch) {
          up.continuation = make_body_continuation(
              worker_, r.rt, *r.dist, *r.behavior, r.viewer,
              {target, order, k, attempt, health_aware, health_aware && defer_success},
              viewer_request, origin_path, *up.fetch);
        }
      } else {
        up.kind = Upstreamed::Kind::kFailure;
        up.status = upstream::status_for_failure(result.outcome);
        r.record.detailed_error = detailed_error_type(result.outcome);
        up.failure_reason = fetch ? fetch->error_detail() : "origin failed";
      }
      co_return up;
    }
  }
  up.kind = Upstreamed::Kind::kFailure;
  up.status = 502;
  up.failure_reason = "no origin could be tried";
  co_return up;
}

net::awaitable<int> ProxyHandler::deliver(Request& r, Upstreamed& up, bool allow_custom_errors,
                                          http::HeaderList extra) {
  const config::Config& cfg = r.rt->config();
  if (allow_custom_errors && up.status >= 400) {
    auto custom = r.dist->custom_errors.find(up.status);
    if (custom != r.dist->custom_errors.end() && !custom->second->response_page_path.empty()) {
      co_return co_await deliver_custom_error(r, up, *custom->second);
    }
  }
  http::HeaderList served_by;
  if (cfg.server.served_by_header) {
    if (up.origin) served_by.add("X-Edgefront-Origin", up.origin->config->id);
    if (!up.attempts.empty()) served_by.add("X-Edgefront-Attempts", up.attempts);
  }
  for (auto& [name, value] : extra.fields()) served_by.add(name, value);
  if (up.kind == Upstreamed::Kind::kFailure) {
    co_return co_await respond_generated(r, up.status, up.failure_reason, std::move(served_by));
  }

  http::ResponseHead head;
  http::BodyLength length;
  if (up.kind == Upstreamed::Kind::kOrigin) {
    length = up.fetch->body_length();
    head = std::move(up.fetch->head());
  } else {
    length = file_body_length(up.file, r.ex.request.method);
    head = std::move(up.file.head);
  }
  upstream::rewrite_response_headers(head.headers, head.version, cfg.server.via_name);
  for (auto& [name, value] : served_by.fields()) {
    // Cache-Status is a list each cache appends to; the rest replace the origin's value.
    if (iequals(name, "Cache-Status")) {
      head.headers.add(name, value);
    } else {
      head.headers.set(name, value);
    }
  }
  int status = head.status;
  http::ResponseSink& sink = r.ex.response;
  if (!(co_await sink.send_head(std::move(head), length)).ok()) co_return status;

  if (up.kind == Upstreamed::Kind::kFile) {
    if (!co_await stream_file(r, up.file)) co_return status;
  } else {
    upstream::ResumingBody body(up.fetch, up.continuation.get());
    while (true) {
      auto chunk = co_await body.read();
      if (!chunk.ok()) {
        // Never pass a truncated body off as complete.
        log_origin_failure(up.origin->config->id,
                           fmt::format("response body failed: {}", chunk.error().message));
        r.record.detailed_error = "OriginReadError";
        sink.abort();
        co_return status;
      }
      if (chunk.value().empty()) break;
      if (!(co_await sink.send_body(chunk.value())).ok()) co_return status;
    }
  }
  if (!(co_await sink.finish()).ok()) co_return status;
  if (up.fetch) up.fetch->release();
  if (up.origin) {  // null for an answer the edge generated
    up.origin->stats.served->add(worker_.index());
    r.record.origin_id = up.origin->config->id;
  }
  co_return status;
}

// CloudFront fetches ResponsePagePath through the behavior that matches it and serves it
// with ResponseCode; if the page itself cannot be fetched, the viewer gets that failure.
net::awaitable<int> ProxyHandler::deliver_custom_error(Request& r, Upstreamed& up,
                                                       const config::CustomErrorResponse& custom) {
  int original_status = up.status;
  up.fetch.reset();  // drops the origin's error body (and its connection)
  const http::RequestHead& viewer = r.ex.request;
  http::RequestHead page_request;
  page_request.method =
      viewer.method == http::Method::kHead ? http::Method::kHead : http::Method::kGet;
  page_request.target = custom.response_page_path;
  for (const auto& [name, value] : viewer.headers.fields()) {
    bool conditional = name.size() > 3 && iequals(std::string_view(name).substr(0, 3), "If-");
    if (conditional || iequals(name, "Range")) {
      continue;
    }
    page_request.headers.add(name, value);
  }
  std::string_view host = viewer.headers.get("Host").value_or("");
  routing::Route route = r.rt->router().route(host, page_request.path());
  auto target = r.dist->targets.find(route.behavior->target_origin_id);
  if (target == r.dist->targets.end()) {
    co_return co_await respond_generated(r, original_status, "error page target missing");
  }
  const config::CacheBehavior* saved_behavior = r.behavior;
  r.behavior = route.behavior;
  r.body = {};
  Upstreamed page = co_await fetch_target(r, target->second, page_request, route.origin_path);
  r.behavior = saved_behavior;
  if (page.kind != Upstreamed::Kind::kFailure && page.status >= 200 && page.status < 300) {
    int code = custom.response_code != 0 ? custom.response_code : original_status;
    if (page.kind == Upstreamed::Kind::kOrigin) {
      page.fetch->head().status = code;
      page.fetch->head().reason.clear();
    } else {
      page.file.head.status = code;
      page.file.head.reason.clear();
    }
    page.status = code;
  }
  // Deliver as-is: no second round of custom error pages.
  co_return co_await deliver(r, page, /*allow_custom_errors=*/false);
}

net::awaitable<int> ProxyHandler::respond_generated(Request& r, int status, std::string_view reason,
                                                    http::HeaderList extra) {
  std::string body = http::error_page_html(status, reason);
  http::ResponseHead head;
  head.status = status;
  head.headers.add("Server", "edgefront");
  head.headers.add("Content-Type", "text/html; charset=utf-8");
  for (auto& [name, value] : extra.fields()) head.headers.add(name, value);
  http::ResponseSink& sink = r.ex.response;
  if (sink.committed()) {
    sink.abort();
    co_return status;
  }
  if (!(co_await sink.send_head(std::move(head), http::BodyLength::known(body.size()))).ok()) {
    co_return status;
  }
  if (!(co_await sink.send_body(body)).ok()) co_return status;
  (void)co_await sink.finish();
  co_return status;
}

net::awaitable<bool> ProxyHandler::stream_file(Request& r, upstream::FileResponse& file) {
  if (!file.fd) {
    if (!file.body.empty() && !(co_await r.ex.response.send_body(file.body)).ok()) co_return false;
    co_return true;
  }
  // pread on the worker thread: fine while files sit in the page cache; large cold files
  // belong on a thread pool or io_uring (see docs/design/upstream.md).
  std::vector<char> buffer(std::min<uint64_t>(kFileChunk, std::max<uint64_t>(file.length, 1)));
  uint64_t offset = file.offset;
  uint64_t remaining = file.length;
  while (remaining > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), remaining));
    ssize_t n = ::pread(file.fd.get(), buffer.data(), want, static_cast<off_t>(offset));
    if (n <= 0) {
      r.ex.response.abort();
      co_return false;
    }
    offset += static_cast<uint64_t>(n);
    remaining -= static_cast<uint64_t>(n);
    if (!(co_await r.ex.response.send_body({buffer.data(), static_cast<size_t>(n)})).ok()) {
      co_return false;
    }
  }
  co_return true;
}

}  // namespace edgefront::proxy
