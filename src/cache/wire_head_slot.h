// A stored head's HTTP/1.1 serialization, made by the first hit that needs it and then shared
// by every worker serving that object (no per-hit header copy or formatting).
#pragma once

#include <atomic>
#include <memory>

#include "http/h1_serialize.h"
#include "http/packed_head.h"

namespace edgefront::cache {

// A stored head for HTTP/1.1: everything but the framing fields and Age and X-Cache, which
// every answer sets afresh.
inline void serialize_stored_head(const http::PackedHead& head, http::WireHead& out) {
  http::serialize_wire_head(head, {"Age", "X-Cache"}, out);
}

// Kept for objects served as hits only: a head serialized for a miss would cost memory for
// every object stored, most of which are never hit.
class WireHeadSlot {
 public:
  WireHeadSlot() = default;
  // A copy is made to be changed before it is published: it serializes afresh.
  WireHeadSlot(const WireHeadSlot&) {}
  WireHeadSlot& operator=(const WireHeadSlot&) {
    reset();
    return *this;
  }
  ~WireHeadSlot() { reset(); }

  const http::WireHead& get(const http::PackedHead& head) const {
    if (const http::WireHead* made = wire_.load(std::memory_order_acquire)) return *made;
    auto fresh = std::make_unique<http::WireHead>();
    serialize_stored_head(head, *fresh);
    const http::WireHead* expected = nullptr;
    // Two workers may race to make it: the first one published wins.
    if (wire_.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) {
      return *fresh.release();
    }
    return *expected;
  }

 private:
  void reset() { delete wire_.exchange(nullptr, std::memory_order_acq_rel); }

  mutable std::atomic<const http::WireHead*> wire_{nullptr};
};

}  // namespace edgefront::cache
