// Requests in flight to one origin across all workers, for circuit breaking
// (max_concurrent_requests) and least-request balancing. A slot is held for a whole origin
// exchange, body included, and released when the exchange object goes away.
#pragma once

#include <atomic>
#include <cstdint>

namespace edgefront::upstream {

class InflightCounter {
 public:
  uint64_t current() const { return static_cast<uint64_t>(n_.load(std::memory_order_relaxed)); }

 private:
  friend class InflightSlot;
  std::atomic<int64_t> n_{0};
};

class InflightSlot {
 public:
  InflightSlot() = default;
  // A slot unless `limit` (> 0) requests are already in flight; empty otherwise.
  static InflightSlot acquire(InflightCounter& counter, int limit);
  InflightSlot(InflightSlot&& other) noexcept : counter_(other.counter_) {
    other.counter_ = nullptr;
  }
  InflightSlot& operator=(InflightSlot&& other) noexcept;
  InflightSlot(const InflightSlot&) = delete;
  InflightSlot& operator=(const InflightSlot&) = delete;
  ~InflightSlot() { release(); }

  explicit operator bool() const { return counter_ != nullptr; }
  void release();

 private:
  explicit InflightSlot(InflightCounter* c) : counter_(c) {}
  InflightCounter* counter_ = nullptr;
};

}  // namespace edgefront::upstream
