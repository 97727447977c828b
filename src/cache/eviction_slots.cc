#include "cache/eviction_slots.h"

namespace edgefront::cache {

namespace {
constexpr size_t kInitialBuckets = 16;
// Keys are hashes already, but callers may use small integers: mix before masking.
constexpr uint64_t kMix = 0x9E3779B97F4A7C15ull;
}  // namespace

EvictionSlots::EvictionSlots() : buckets_(kInitialBuckets, kNone), mask_(kInitialBuckets - 1) {}

size_t EvictionSlots::home(Key key) const {
  uint64_t h = key * kMix;
  return static_cast<size_t>(h ^ (h >> 32)) & mask_;
}

EvictionSlots::Index EvictionSlots::find(Key key) const {
  for (size_t i = home(key);; i = (i + 1) & mask_) {
    Index index = buckets_[i];
    if (index == kNone) return kNone;
    if (slots_[index].key == key) return index;
  }
}

EvictionSlots::Index EvictionSlots::add(Key key, uint64_t bytes) {
  Index index;
  if (free_head_ != kNone) {
    index = free_head_;
    free_head_ = slots_[index].next;
  } else {
    index = static_cast<Index>(slots_.size());
    slots_.emplace_back();
  }
  slots_[index] = Slot{.key = key, .bytes = bytes};
  // Keep the load factor under 0.7 so probe runs stay short.
  if ((count_ + 1) * 10 > buckets_.size() * 7) grow_index();
  index_insert(key, index);
  ++count_;
  return index;
}

void EvictionSlots::remove(Index index) {
  index_erase(slots_[index].key);
  slots_[index] = Slot{.next = free_head_};
  free_head_ = index;
  --count_;
}

size_t EvictionSlots::memory_bytes() const {
  return slots_.capacity() * sizeof(Slot) + buckets_.capacity() * sizeof(Index);
}

void EvictionSlots::grow_index() {
  std::vector<Index> old = std::move(buckets_);
  buckets_.assign(old.size() * 2, kNone);
  mask_ = buckets_.size() - 1;
  for (Index index : old) {
    if (index != kNone) index_insert(slots_[index].key, index);
  }
}

void EvictionSlots::index_insert(Key key, Index index) {
  size_t i = home(key);
  while (buckets_[i] != kNone) i = (i + 1) & mask_;
  buckets_[i] = index;
}

void EvictionSlots::index_erase(Key key) {
  size_t hole = home(key);
  while (slots_[buckets_[hole]].key != key) hole = (hole + 1) & mask_;
  // Backward-shift deletion: pull later entries of the probe run into the hole, no tombstones.
  for (size_t next = (hole + 1) & mask_; buckets_[next] != kNone; next = (next + 1) & mask_) {
    size_t wanted = home(slots_[buckets_[next]].key);
    if (((next - wanted) & mask_) >= ((next - hole) & mask_)) {
      buckets_[hole] = buckets_[next];
      hole = next;
    }
  }
  buckets_[hole] = kNone;
}

void SlotList::push_front(EvictionSlots::Index index) {
  EvictionSlots::Slot& slot = slots_[index];
  slot.prev = EvictionSlots::kNone;
  slot.next = head_;
  if (head_ != EvictionSlots::kNone) {
    slots_[head_].prev = index;
  } else {
    tail_ = index;
  }
  head_ = index;
  bytes_ += slot.bytes;
  ++count_;
}

void SlotList::unlink(EvictionSlots::Index index) {
  EvictionSlots::Slot& slot = slots_[index];
  if (slot.prev != EvictionSlots::kNone) {
    slots_[slot.prev].next = slot.next;
  } else {
    head_ = slot.next;
  }
  if (slot.next != EvictionSlots::kNone) {
    slots_[slot.next].prev = slot.prev;
  } else {
    tail_ = slot.prev;
  }
  slot.prev = slot.next = EvictionSlots::kNone;
  bytes_ -= slot.bytes;
  --count_;
}

}  // namespace edgefront::cache
