// Per-worker state the pipeline uses: the worker's slot for counters, its origin connection
// pool, and its cached view of the current Runtime.
#pragma once

#include <memory>

#include "base/clock.h"
#include "cache/disk_store.h"
#include "cache/invalidation.h"
#include "cache/memory_store.h"
#include "obs/access_log.h"
#include "proxy/runtime.h"
#include "upstream/availability_watch.h"
#include "upstream/connection_pool.h"

namespace edgefront::proxy {

// The cache every worker shares (it lives as long as the process, across reloads).
struct CacheServices {
  cache::MemoryStore* store = nullptr;  // null: caching off
  cache::DiskStore* disk = nullptr;     // null: no disk tier
  const cache::InvalidationBoard* invalidations = nullptr;
  const TimeSource* clock = &RealTimeSource::instance();
  uint64_t max_object_bytes = 16ull << 20;  // larger bodies stream through uncached
};

class WorkerContext {
 public:
  WorkerContext(unsigned index, const RuntimeHolder& holder, CacheServices cache = {})
      : index_(index), holder_(holder), cache_(cache) {}

  unsigned index() const { return index_; }
  upstream::ConnectionPool& pool() { return pool_; }
  // Moves this worker's waiting attempts off members judged unavailable.
  upstream::AvailabilityWatch& availability_watch() { return availability_watch_; }
  const CacheServices& cache() const { return cache_; }
  // Where redirect-to-https sends plain-HTTP viewers: the bound port of the first TLS
  // listener (0 when edgefront terminates no TLS itself, e.g. behind a TLS load balancer).
  uint16_t https_port() const { return https_port_; }
  void set_https_port(uint16_t port) { https_port_ = port; }
  // The access log every distribution that logs writes to; null when none is configured.
  obs::AccessLog* access_log() const { return access_log_; }
  void set_access_log(obs::AccessLog* log) { access_log_ = log; }
  // The current runtime; the shared_ptr keeps it alive for the whole request even if a
  // reload publishes a new one meanwhile.
  std::shared_ptr<const Runtime> runtime() {
    uint64_t gen = holder_.generation();
    if (gen != cached_generation_ || !cached_) {
      cached_ = holder_.load();
      cached_generation_ = gen;
    }
    return cached_;
  }

 private:
  unsigned index_;
  const RuntimeHolder& holder_;
  CacheServices cache_;
  upstream::ConnectionPool pool_;
  upstream::AvailabilityWatch availability_watch_;
  std::shared_ptr<const Runtime> cached_;
  uint64_t cached_generation_ = ~0ull;
  uint16_t https_port_ = 0;
  obs::AccessLog* access_log_ = nullptr;
};

}  // namespace edgefront::proxy
