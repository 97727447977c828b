// Least recently used, by bytes: the baseline S3-FIFO is compared against.
#pragma once

#include "cache/eviction.h"
#include "cache/eviction_slots.h"

namespace edgefront::cache {

class LruPolicy final : public EvictionPolicy {
 public:
  explicit LruPolicy(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  void on_hit(Key key) override;
  void insert(Key key, uint64_t bytes, std::vector<Key>& evicted) override;
  void erase(Key key) override;
  uint64_t used_bytes() const override { return order_.bytes(); }
  uint64_t capacity_bytes() const override { return capacity_; }
  size_t size() const override { return order_.count(); }
  std::string_view name() const override { return "lru"; }
  size_t memory_bytes() const override { return slots_.memory_bytes(); }

 private:
  uint64_t capacity_;
  EvictionSlots slots_;
  SlotList order_{slots_};  // most recently used at the front
};

}  // namespace edgefront::cache
