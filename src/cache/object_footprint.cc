#include "cache/object_footprint.h"

#include <string>

namespace edgefront::cache {

namespace {

// A shared_ptr's control block (make_shared puts it in the object's allocation).
constexpr uint64_t kControlBlock = 16;
// The store's index per object: the entry node in the key map (next pointer, key, check,
// variants vector, pending pointer) and its bucket, the variants array, the owner map node
// and its bucket.
constexpr uint64_t kIndexBytes = 64 + 16 + 16 + 32 + 16;
// S3-FIFO's record and ghost slot per resident object (bench/README.md: 80 bytes).
constexpr uint64_t kEvictionBytes = 80;
// The allocator's size classes round each small allocation up by up to a quarter of it
// (four classes per doubling); an eighth on average.
uint64_t with_class_slack(uint64_t bytes) { return bytes + bytes / 8; }

uint64_t heap_bytes(const std::string& s) {
  // Short strings live inside the object (the small-string buffer): no heap.
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

}  // namespace

uint64_t fixed_object_bytes() {
  return with_class_slack(sizeof(CachedObject) + sizeof(ObjectMeta) + sizeof(Fill) +
                          3 * kControlBlock) +
         kIndexBytes + kEvictionBytes;
}

uint64_t object_overhead_bytes(const CachedObject& object) {
  const ObjectMeta& meta = *object.meta;
  uint64_t strings =
      heap_bytes(meta.secondary_key) + heap_bytes(meta.distribution_id) + heap_bytes(meta.path);
  for (const std::string& tag : meta.tags) strings += sizeof(std::string) + heap_bytes(tag);
  // A hit's serialized head: about the stored head's bytes again, in its own WireHead.
  uint64_t wire = sizeof(http::WireHead) + meta.head.packed_bytes();
  uint64_t body_slack = object.body->allocated_bytes() - object.body->size();
  return fixed_object_bytes() + with_class_slack(strings + wire) + body_slack;
}

}  // namespace edgefront::cache
