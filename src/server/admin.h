// The admin API on its own listener (loopback by default): metrics, origins, liveness and
// fault injection.
#pragma once

#include "cache/disk_store.h"
#include "cache/invalidation.h"
#include "cache/memory_store.h"
#include "http/exchange.h"
#include "proxy/runtime.h"
#include "server/status_sampler.h"
#include "upstream/fault_table.h"

namespace edgefront::server {

class AdminHandler final : public http::Handler {
 public:
  // Without a fault table the /faults endpoints answer 404.
  AdminHandler(const proxy::RuntimeHolder& runtime, obs::Registry& registry,
               cache::InvalidationBoard& invalidations, const cache::MemoryStore* store,
               OffsetTimeSource* test_clock, upstream::FaultTable* faults = nullptr,
               const cache::DiskStore* disk = nullptr)
      : runtime_(runtime),
        registry_(registry),
        invalidations_(invalidations),
        store_(store),
        disk_(disk),
        test_clock_(test_clock),
        faults_(faults) {}
  net::awaitable<void> handle(http::Exchange& exchange) override;
  // Enables the status page (GET /, /status.json); without it those answer 404.
  void set_status(StatusSampler* status) { status_ = status; }

 private:
  // The page's own files (no data, no token needed); false if `path` is none of them.
  net::awaitable<bool> serve_status_page(http::Exchange& ex, std::string_view path);

  const proxy::RuntimeHolder& runtime_;
  obs::Registry& registry_;
  cache::InvalidationBoard& invalidations_;
  const cache::MemoryStore* store_;
  const cache::DiskStore* disk_;
  OffsetTimeSource* test_clock_;
  upstream::FaultTable* faults_;
  StatusSampler* status_ = nullptr;
};

}  // namespace edgefront::server
