// Smoothed response time of one origin (time to the response head), shared by every worker,
// for latency-aware (ewma) balancing. Racing updates may lose a sample; an average does not
// care.
#pragma once

#include <atomic>
#include <chrono>

namespace edgefront::upstream {

class LatencyEwma {
 public:
  // Weight of a new sample: 1/8, as TCP's SRTT.
  void record(std::chrono::microseconds sample) {
    double s = static_cast<double>(sample.count());
    double old = us_.load(std::memory_order_relaxed);
    us_.store(old == 0 ? s : old + (s - old) / 8, std::memory_order_relaxed);
  }
  // 0 while there is no sample.
  double microseconds() const { return us_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> us_{0};
};

}  // namespace edgefront::upstream
