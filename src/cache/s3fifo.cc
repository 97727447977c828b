#include "cache/s3fifo.h"

#include <algorithm>

namespace edgefront::cache {

namespace {
constexpr uint8_t kMaxFreq = 3;  // 2-bit counter
constexpr uint64_t kSmallPercent = 10;
}  // namespace

S3FifoPolicy::S3FifoPolicy(uint64_t capacity_bytes)
    : capacity_(capacity_bytes),
      small_target_(capacity_bytes * kSmallPercent / 100),
      ghost_limit_(capacity_bytes - capacity_bytes * kSmallPercent / 100) {}

bool S3FifoPolicy::in_main(Key key) const {
  EvictionSlots::Index index = slots_.find(key);
  return index != EvictionSlots::kNone && slots_[index].queue == kMain;
}

void S3FifoPolicy::on_hit(Key key) {
  EvictionSlots::Index index = slots_.find(key);
  if (index == EvictionSlots::kNone) return;
  EvictionSlots::Slot& slot = slots_[index];
  if (slot.queue != kGhost) slot.freq = std::min<uint8_t>(slot.freq + 1, kMaxFreq);
}

void S3FifoPolicy::insert(Key key, uint64_t bytes, std::vector<Key>& evicted) {
  EvictionSlots::Index index = slots_.find(key);
  bool was_ghost = false;
  if (index != EvictionSlots::kNone) {
    // A ghost returns to main; a resident key (a caller bug) is replaced rather than doubled.
    was_ghost = slots_[index].queue == kGhost;
    if (was_ghost) {
      ghost_.unlink(index);
      slots_.remove(index);
    } else {
      erase(key);
    }
  }
  if (bytes > capacity_) {
    evicted.push_back(key);
    return;
  }
  while (used_bytes() + bytes > capacity_) evict_one(evicted);
  index = slots_.add(key, bytes);
  slots_[index].queue = was_ghost ? kMain : kSmall;
  (was_ghost ? main_ : small_).push_front(index);
}

void S3FifoPolicy::erase(Key key) {
  EvictionSlots::Index index = slots_.find(key);
  if (index == EvictionSlots::kNone) return;
  // A ghost entry says nothing about residency; it stays to guide a later admission.
  switch (slots_[index].queue) {
    case kSmall:
      small_.unlink(index);
      break;
    case kMain:
      main_.unlink(index);
      break;
    default:
      return;
  }
  slots_.remove(index);
}

void S3FifoPolicy::evict_one(std::vector<Key>& evicted) {
  if (small_.bytes() > small_target_ || main_.empty()) {
    evict_from_small(evicted);
  } else {
    evict_from_main(evicted);
  }
}

void S3FifoPolicy::evict_from_small(std::vector<Key>& evicted) {
  // Hit objects are promoted until one leaves; if all get promoted, main evicts instead.
  while (!small_.empty()) {
    EvictionSlots::Index index = small_.back();
    small_.unlink(index);
    EvictionSlots::Slot& slot = slots_[index];
    if (slot.freq > 0) {
      slot.freq = 0;
      slot.queue = kMain;
      main_.push_front(index);
      continue;
    }
    evicted.push_back(slot.key);
    remember_in_ghost(index);
    return;
  }
  evict_from_main(evicted);
}

void S3FifoPolicy::evict_from_main(std::vector<Key>& evicted) {
  // Terminates: each pass over an object lowers its counter, at most kMaxFreq times.
  for (;;) {
    EvictionSlots::Index index = main_.back();
    main_.unlink(index);
    EvictionSlots::Slot& slot = slots_[index];
    if (slot.freq > 0) {
      --slot.freq;
      main_.push_front(index);
      continue;
    }
    evicted.push_back(slot.key);
    slots_.remove(index);
    return;
  }
}

void S3FifoPolicy::remember_in_ghost(EvictionSlots::Index index) {
  EvictionSlots::Slot& slot = slots_[index];
  if (slot.bytes > ghost_limit_) {
    slots_.remove(index);
    return;
  }
  slot.queue = kGhost;
  slot.freq = 0;
  ghost_.push_front(index);
  while (ghost_.bytes() > ghost_limit_) {
    EvictionSlots::Index oldest = ghost_.back();
    ghost_.unlink(oldest);
    slots_.remove(oldest);
  }
}

std::unique_ptr<EvictionPolicy> make_s3fifo(uint64_t capacity_bytes) {
  return std::make_unique<S3FifoPolicy>(capacity_bytes);
}

}  // namespace edgefront::cache
