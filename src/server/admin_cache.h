// The cache's admin API: CloudFront-shaped invalidations (POST /invalidations,
// GET /invalidations[/{id}]) and GET /cache statistics.
#pragma once

#include "cache/disk_store.h"
#include "cache/invalidation.h"
#include "cache/memory_store.h"
#include "http/exchange.h"
#include "proxy/runtime.h"

namespace edgefront::server {

// True if the request was for a cache endpoint (and has been answered).
// `test_clock`: set only when EDGEFRONT_TEST_CLOCK=1 (tests move the cache's clock with
// POST /test/clock?advance=SECONDS).
net::awaitable<bool> handle_cache_admin(http::Exchange& ex, const proxy::Runtime& runtime,
                                        cache::InvalidationBoard& invalidations,
                                        const cache::MemoryStore* store,
                                        const cache::DiskStore* disk, OffsetTimeSource* test_clock);

}  // namespace edgefront::server
