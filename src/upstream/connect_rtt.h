// The smoothed time to open a TCP connection to one origin, shared by every worker: an EWMA
// (1/8, as TCP's SRTT) of measured connects. A connect timeout makes the next adapted timeout
// twice the one that expired, so an estimate that became too tight loosens instead of
// failing every connect; concurrent connects that timed out together double it once, not
// once each (a black hole under load would otherwise push it to the configured timeout).
#pragma once

#include <atomic>
#include <chrono>
#include <optional>

namespace edgefront::upstream {

class ConnectRtt {
 public:
  void record(std::chrono::microseconds sample);
  // A connect that waited `waited` timed out; adapted timeouts are `multiplier` x estimate.
  void record_timeout(std::chrono::microseconds waited, int multiplier);
  std::optional<std::chrono::microseconds> smoothed() const;

 private:
  // 0 = no sample yet. Racing workers may lose an update: a sample more or less does not
  // matter to an average.
  std::atomic<int64_t> smoothed_us_{0};
};

}  // namespace edgefront::upstream
