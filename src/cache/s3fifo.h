// S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction", SOSP'23), measured
// in bytes: a small FIFO takes new objects (10% of the budget) so one-hit wonders leave
// quickly; objects hit while there move to the main FIFO, which reinserts objects hit since
// their last pass (2-bit counter) instead of evicting them; a ghost FIFO remembers keys
// recently evicted from the small FIFO so their return goes straight to main.
#pragma once

#include "cache/eviction.h"
#include "cache/eviction_slots.h"

namespace edgefront::cache {

class S3FifoPolicy final : public EvictionPolicy {
 public:
  explicit S3FifoPolicy(uint64_t capacity_bytes);

  void on_hit(Key key) override;
  void insert(Key key, uint64_t bytes, std::vector<Key>& evicted) override;
  void erase(Key key) override;
  uint64_t used_bytes() const override { return small_.bytes() + main_.bytes(); }
  uint64_t capacity_bytes() const override { return capacity_; }
  size_t size() const override { return small_.count() + main_.count(); }
  std::string_view name() const override { return "s3fifo"; }
  size_t memory_bytes() const override { return slots_.memory_bytes(); }

  size_t ghost_size() const { return ghost_.count(); }
  bool in_main(Key key) const;  // for tests and the simulator

 private:
  enum Queue : uint8_t { kSmall, kMain, kGhost };

  void evict_one(std::vector<Key>& evicted);
  void evict_from_small(std::vector<Key>& evicted);
  void evict_from_main(std::vector<Key>& evicted);
  void remember_in_ghost(EvictionSlots::Index index);

  uint64_t capacity_;
  uint64_t small_target_;  // bytes the small FIFO may hold before it is evicted from first
  uint64_t ghost_limit_;   // bytes of objects the ghost remembers (keys only are stored)
  EvictionSlots slots_;
  SlotList small_{slots_};
  SlotList main_{slots_};
  SlotList ghost_{slots_};
};

}  // namespace edgefront::cache
