// The bookkeeping both eviction policies share: one compact record per tracked key in a
// vector (no heap node per object), an open-addressing index from key to record, and
// intrusive doubly linked lists threaded through the records by 32-bit index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgefront::cache {

class EvictionSlots {
 public:
  using Key = uint64_t;
  using Index = uint32_t;
  static constexpr Index kNone = UINT32_MAX;

  struct Slot {
    Key key = 0;
    uint64_t bytes = 0;
    Index prev = kNone;
    Index next = kNone;  // also links the free list
    uint8_t freq = 0;    // policy-defined access counter
    uint8_t queue = 0;   // which list the slot is on (policy-defined)
  };

  EvictionSlots();

  Index find(Key key) const;
  Index add(Key key, uint64_t bytes);  // `key` must not be present
  void remove(Index index);

  Slot& operator[](Index index) { return slots_[index]; }
  const Slot& operator[](Index index) const { return slots_[index]; }
  size_t count() const { return count_; }
  // Bytes this structure holds (records, index and spare capacity).
  size_t memory_bytes() const;

 private:
  size_t home(Key key) const;
  void grow_index();
  void index_insert(Key key, Index index);
  void index_erase(Key key);

  std::vector<Slot> slots_;
  Index free_head_ = kNone;
  std::vector<Index> buckets_;  // linear probing, kNone = empty
  size_t mask_ = 0;
  size_t count_ = 0;
};

// A doubly linked list over slots: push at the front, take from the back (FIFO or LRU order).
class SlotList {
 public:
  explicit SlotList(EvictionSlots& slots) : slots_(slots) {}

  void push_front(EvictionSlots::Index index);
  void unlink(EvictionSlots::Index index);
  EvictionSlots::Index back() const { return tail_; }
  bool empty() const { return head_ == EvictionSlots::kNone; }
  uint64_t bytes() const { return bytes_; }
  size_t count() const { return count_; }

 private:
  EvictionSlots& slots_;
  EvictionSlots::Index head_ = EvictionSlots::kNone;
  EvictionSlots::Index tail_ = EvictionSlots::kNone;
  uint64_t bytes_ = 0;
  size_t count_ = 0;
};

}  // namespace edgefront::cache
