#include "upstream/health_checker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>

#include "net/deadline.h"
#include "upstream/connection_pool.h"
#include "upstream/origin_fetch.h"
#include "upstream/tls_client.h"

namespace edgefront::upstream {

namespace {

constexpr size_t kBodySearchLimit = 5120;  // Route 53 searches the first 5,120 bytes

// Probes trust and speak what requests do: `tls_settings` are the origin's, as the runtime
// resolved them.
OriginEndpoint probe_endpoint(const config::Origin& o, const config::HealthCheck& c,
                              std::shared_ptr<const OriginTlsSettings> tls_settings) {
  bool tls = c.protocol == config::HealthCheck::Protocol::kHttps ||
             (c.protocol == config::HealthCheck::Protocol::kOrigin &&
              o.protocol_policy == config::OriginProtocolPolicy::kHttpsOnly);
  uint16_t port = c.port != 0 ? c.port : (tls ? o.https_port : o.http_port);
  return OriginEndpoint{o.domain_name, port, tls, tls ? std::move(tls_settings) : nullptr};
}

net::awaitable<bool> tcp_probe(const OriginEndpoint& ep, config::Duration timeout) {
  auto executor = co_await asio::this_coro::executor;
  net::tcp::socket socket(executor);
  net::tcp::resolver resolver(executor);
  net::Deadline deadline(executor, [&socket, &resolver] {
    std::error_code ignored;
    socket.cancel(ignored);
    resolver.cancel();
  });
  deadline.expires_after(timeout);
  std::error_code ec;
  auto endpoints =
      co_await resolver.async_resolve(ep.host, std::to_string(ep.port), net::use_ec(ec));
  if (ec) co_return false;
  co_await asio::async_connect(socket, endpoints, net::use_ec(ec));
  socket.close(ec);
  co_return !deadline.expired() && !ec;
}

}  // namespace

net::awaitable<bool> HealthChecker::probe_once(
    const config::Origin& origin, const config::HealthCheck& check, FaultRef fault,
    std::shared_ptr<const OriginTlsSettings> tls_settings) {
  OriginEndpoint ep = probe_endpoint(origin, check, std::move(tls_settings));
  if (check.protocol == config::HealthCheck::Protocol::kTcp) {
    // A connect-only probe meets only the faults that break connecting.
    if (fault &&
        (fault->spec.kind == FaultKind::kRefuse || fault->spec.kind == FaultKind::kBlackhole)) {
      co_return false;
    }
    co_return co_await tcp_probe(ep, check.timeout);
  }
  // A probe is one fresh connection with the check's timeout and no retries.
  config::Origin probe = origin;
  probe.connection_attempts = 1;
  probe.connection_timeout = check.timeout;
  probe.read_timeout = check.timeout;
  probe.keepalive_timeout = config::Duration::zero();
  ConnectionPool pool;
  OriginFetch fetch(pool, probe, ep);
  if (fault) fetch.inject(std::move(fault));
  http::RequestHead request;
  request.method = http::Method::kGet;
  request.target = check.path;
  request.headers.add("Host", origin.domain_name);
  request.headers.add("User-Agent", "edgefront-health-check");
  request.headers.add("Connection", "close");
  AttemptResult result = co_await fetch.start(request, OutgoingBody{});
  if (result.outcome != AttemptOutcome::kResponse) co_return false;
  if (result.status < check.expected_status_min || result.status > check.expected_status_max) {
    co_return false;
  }
  if (check.body_contains.empty()) co_return true;
  std::string body;
  while (body.size() < kBodySearchLimit) {
    auto chunk = co_await fetch.read_body();
    if (!chunk.ok() || chunk.value().empty()) break;
    body.append(chunk.value().data(), chunk.value().size());
  }
  if (body.size() > kBodySearchLimit) body.resize(kBodySearchLimit);
  co_return body.find(check.body_contains) != std::string::npos;
}

void HealthChecker::start(std::vector<ProbeTarget> targets,
                          std::shared_ptr<const void> keep_alive) {
  stop();
  session_ = std::make_shared<Session>();
  session_->keep_alive = std::move(keep_alive);
  for (const ProbeTarget& t : targets) {
    if (!t.origin->health_check.enabled || t.origin->is_directory()) {
      t.health->set_active_healthy(true);
      continue;
    }
    asio::steady_timer* timer = &session_->timers.emplace_back(context_);
    asio::co_spawn(context_, probe_loop(session_, t, timer), asio::detached);
  }
}

void HealthChecker::stop() {
  if (!session_) return;
  session_->stopped = true;
  for (asio::steady_timer& t : session_->timers) t.cancel();
  session_.reset();
}

net::awaitable<void> HealthChecker::probe_loop(std::shared_ptr<Session> session, ProbeTarget target,
                                               asio::steady_timer* timer) {
  const config::Origin& origin = *target.origin;
  const config::HealthCheck& check = origin.health_check;
  HealthCheckState state;
  std::minstd_rand jitter(static_cast<uint32_t>(std::hash<std::string>{}(origin.id)));
  while (!session->stopped) {
    FaultRef fault = target.faults ? target.faults->find(target.distribution, origin.id) : nullptr;
    bool ok = co_await probe_once(origin, check, std::move(fault), target.tls_settings);
    if (session->stopped) break;
    if (state.observe(ok, check)) {
      target.health->set_active_healthy(state.healthy());
      spdlog::warn("health check: origin {} is now {}", origin.id,
                   state.healthy() ? "healthy" : "unhealthy");
    }
    // Up to 10% jitter so checks of many origins do not march in step.
    auto spread = std::max<int64_t>(1, check.interval.count() / 10);
    timer->expires_after(check.interval + config::Duration(jitter() % spread));
    std::error_code ec;
    co_await timer->async_wait(net::use_ec(ec));
  }
}

}  // namespace edgefront::upstream
