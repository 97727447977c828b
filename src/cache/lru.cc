#include "cache/lru.h"

namespace edgefront::cache {

void LruPolicy::on_hit(Key key) {
  EvictionSlots::Index index = slots_.find(key);
  if (index == EvictionSlots::kNone) return;
  order_.unlink(index);
  order_.push_front(index);
}

void LruPolicy::insert(Key key, uint64_t bytes, std::vector<Key>& evicted) {
  erase(key);  // a resident key (a caller bug) is replaced rather than doubled
  if (bytes > capacity_) {
    evicted.push_back(key);
    return;
  }
  while (order_.bytes() + bytes > capacity_) {
    EvictionSlots::Index oldest = order_.back();
    order_.unlink(oldest);
    evicted.push_back(slots_[oldest].key);
    slots_.remove(oldest);
  }
  order_.push_front(slots_.add(key, bytes));
}

void LruPolicy::erase(Key key) {
  EvictionSlots::Index index = slots_.find(key);
  if (index == EvictionSlots::kNone) return;
  order_.unlink(index);
  slots_.remove(index);
}

std::unique_ptr<EvictionPolicy> make_lru(uint64_t capacity_bytes) {
  return std::make_unique<LruPolicy>(capacity_bytes);
}

}  // namespace edgefront::cache
