#include "upstream/inflight.h"

namespace edgefront::upstream {

InflightSlot InflightSlot::acquire(InflightCounter& counter, int limit) {
  int64_t now = counter.n_.fetch_add(1, std::memory_order_acq_rel) + 1;
  if (limit > 0 && now > limit) {
    counter.n_.fetch_sub(1, std::memory_order_acq_rel);
    return InflightSlot();
  }
  return InflightSlot(&counter);
}

InflightSlot& InflightSlot::operator=(InflightSlot&& other) noexcept {
  if (this != &other) {
    release();
    counter_ = other.counter_;
    other.counter_ = nullptr;
  }
  return *this;
}

void InflightSlot::release() {
  if (counter_) counter_->n_.fetch_sub(1, std::memory_order_acq_rel);
  counter_ = nullptr;
}

}  // namespace edgefront::upstream
