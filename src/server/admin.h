// The admin API on its own listener (loopback by default): metrics, origins, liveness and
// fault injection.
#pragma once

#include "http/exchange.h"
#include "proxy/runtime.h"
#include "upstream/fault_table.h"

namespace edgefront::server {

class AdminHandler final : public http::Handler {
 public:
  // Without a fault table the /faults endpoints answer 404.
  AdminHandler(const proxy::RuntimeHolder& runtime, obs::Registry& registry,
               upstream::FaultTable* faults = nullptr)
      : runtime_(runtime), registry_(registry), faults_(faults) {}
  net::awaitable<void> handle(http::Exchange& exchange) override;

 private:
  const proxy::RuntimeHolder& runtime_;
  obs::Registry& registry_;
  upstream::FaultTable* faults_;
};

}  // namespace edgefront::server
