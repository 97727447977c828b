// The admin API on its own listener (loopback by default): metrics and liveness.
#pragma once

#include "cache/invalidation.h"
#include "cache/memory_store.h"
#include "http/exchange.h"
#include "proxy/runtime.h"

namespace edgefront::server {

class AdminHandler final : public http::Handler {
 public:
  AdminHandler(const proxy::RuntimeHolder& runtime, obs::Registry& registry,
               cache::InvalidationBoard& invalidations, const cache::MemoryStore* store,
               OffsetTimeSource* test_clock)
      : runtime_(runtime),
        registry_(registry),
        invalidations_(invalidations),
        store_(store),
        test_clock_(test_clock) {}
  net::awaitable<void> handle(http::Exchange& exchange) override;

 private:
  const proxy::RuntimeHolder& runtime_;
  obs::Registry& registry_;
  cache::InvalidationBoard& invalidations_;
  const cache::MemoryStore* store_;
  OffsetTimeSource* test_clock_;
};

}  // namespace edgefront::server
