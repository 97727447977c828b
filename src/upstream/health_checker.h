// Active health checks, Route 53 style: each origin with a health check is probed on its own
// interval (with jitter) from the control thread, never from the workers. A verdict flips
// after the configured number of consecutive probes and is published through OriginHealth.
#pragma once

#include <list>
#include <memory>
#include <vector>

#include "config/config.h"
#include "net/asio.h"
#include "upstream/fault_table.h"
#include "upstream/origin_health.h"

namespace edgefront::upstream {

struct OriginTlsSettings;

struct ProbeTarget {
  const config::Origin* origin = nullptr;
  OriginHealth* health = nullptr;
  // Injected faults apply to probes too, so a drill looks like an outage to the checks.
  std::string distribution;
  const FaultTable* faults = nullptr;
  // The origin's TLS versions and trust as requests use them, resolved once per config.
  std::shared_ptr<const OriginTlsSettings> tls_settings;
};

class HealthChecker {
 public:
  explicit HealthChecker(asio::io_context& context) : context_(context) {}
  ~HealthChecker() { stop(); }

  // Replaces the probed set (on start and on every reload). `keep_alive` owns the config the
  // targets point into. Origins without an enabled check are marked healthy.
  void start(std::vector<ProbeTarget> targets, std::shared_ptr<const void> keep_alive);
  void stop();

  // One probe (exposed for tests): true if the origin answered as the check expects.
  static net::awaitable<bool> probe_once(
      const config::Origin& origin, const config::HealthCheck& check, FaultRef fault = nullptr,
      std::shared_ptr<const OriginTlsSettings> tls_settings = nullptr);

 private:
  struct Session {
    bool stopped = false;
    std::shared_ptr<const void> keep_alive;
    std::list<asio::steady_timer> timers;
  };
  static net::awaitable<void> probe_loop(std::shared_ptr<Session> session, ProbeTarget target,
                                         asio::steady_timer* timer);

  asio::io_context& context_;
  std::shared_ptr<Session> session_;
};

}  // namespace edgefront::upstream
