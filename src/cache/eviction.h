#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace edgefront::cache {

// Decides which objects leave a byte-bounded cache. Not thread-safe: one instance per shard.
class EvictionPolicy {
 public:
  using Key = uint64_t;  // the object's hash
  virtual ~EvictionPolicy() = default;
  virtual void on_hit(Key key) = 0;  // a lookup found `key` resident
  // Admits `key` of `bytes` and appends to `evicted` every key that must leave to make room
  // (possibly `key` itself, e.g. when it is larger than the whole budget). `key` is not resident.
  virtual void insert(Key key, uint64_t bytes, std::vector<Key>& evicted) = 0;
  virtual void erase(Key key) = 0;  // removed for another reason
  virtual uint64_t used_bytes() const = 0;
  virtual uint64_t capacity_bytes() const = 0;
  virtual size_t size() const = 0;
  virtual std::string_view name() const = 0;
  // Bytes of the policy's own bookkeeping (records, index, ghost), for overhead reports.
  virtual size_t memory_bytes() const = 0;
};

std::unique_ptr<EvictionPolicy> make_s3fifo(uint64_t capacity_bytes);  // S3-FIFO (SOSP'23)
std::unique_ptr<EvictionPolicy> make_lru(uint64_t capacity_bytes);

}  // namespace edgefront::cache
