// The admin API on its own listener (loopback by default): metrics and liveness.
#pragma once

#include "http/exchange.h"
#include "proxy/runtime.h"

namespace edgefront::server {

class AdminHandler final : public http::Handler {
 public:
  AdminHandler(const proxy::RuntimeHolder& runtime, obs::Registry& registry)
      : runtime_(runtime), registry_(registry) {}
  net::awaitable<void> handle(http::Exchange& exchange) override;

 private:
  const proxy::RuntimeHolder& runtime_;
  obs::Registry& registry_;
};

}  // namespace edgefront::server
