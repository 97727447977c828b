// Per-worker state the pipeline uses: the worker's slot for counters, its origin connection
// pool, and its cached view of the current Runtime.
#pragma once

#include <memory>

#include "proxy/runtime.h"
#include "upstream/connection_pool.h"

namespace edgefront::proxy {

class WorkerContext {
 public:
  WorkerContext(unsigned index, const RuntimeHolder& holder) : index_(index), holder_(holder) {}

  unsigned index() const { return index_; }
  upstream::ConnectionPool& pool() { return pool_; }
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
  upstream::ConnectionPool pool_;
  std::shared_ptr<const Runtime> cached_;
  uint64_t cached_generation_ = ~0ull;
};

}  // namespace edgefront::proxy
