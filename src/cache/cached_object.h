// One stored response variant: the head as stored, the facts freshness is computed from,
// what invalidations match on, and the body (complete, or still streaming in).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "cache/fill.h"
#include "cache/freshness.h"
#include "cache/wire_head_slot.h"
#include "http/compressor.h"
#include "http/message.h"
#include "http/packed_head.h"

namespace edgefront::cache {

using Seconds = std::chrono::seconds;

// Immutable once published; a 304 revalidation publishes a new one sharing the body.
struct ObjectMeta {
  http::PackedHead head;                   // end-to-end headers as stored
  AgeInputs age_inputs;                    // RFC 9111 4.2.3
  StorageDecision decision;                // TTL, stale windows, revalidation rules
  std::string secondary_key;               // Vary's selection for this variant
  std::string distribution_id;             // what invalidations match on
  std::string path;                        // viewer path (and query) it was stored under
  std::vector<std::string> tags;           // Surrogate-Key / Cache-Tag values, lower case
  std::optional<uint64_t> content_length;  // when the origin announced one
  WireHeadSlot wire;                       // `head` for HTTP/1.1 hits, made once
  // The small members last, together: ObjectMeta stays within a 320-byte allocation.
  http::Coding compressed = http::Coding::kIdentity;  // the edge compressed the body
  bool has_validator = false;  // ETag or Last-Modified: can be revalidated with a 304

  Seconds age(SystemTime now) const { return current_age(age_inputs, now); }
  Freshness freshness(SystemTime now) const { return classify_freshness(decision, age(now)); }
  Seconds ttl_left(SystemTime now) const { return decision.ttl - age(now); }
};

struct CachedObject {
  CachedObject(std::shared_ptr<const ObjectMeta> m, std::shared_ptr<Fill> b, uint64_t seq)
      : meta(std::move(m)), body(std::move(b)), checked_invalidations(seq) {}
  std::shared_ptr<const ObjectMeta> meta;
  std::shared_ptr<Fill> body;
  uint64_t id = 0;            // eviction identity: hash of primary key and secondary key
  uint64_t primary_hash = 0;  // which entry (and shard) holds it
  // Invalidations up to this sequence number are known not to match.
  std::atomic<uint64_t> checked_invalidations;
  // One background refresh at a time (stale-while-revalidate).
  std::atomic<bool> refreshing{false};
  std::atomic<bool> accounted{false};  // counted against the byte budget
};

}  // namespace edgefront::cache
