// The smoothed time to open a TCP connection to one origin, shared by every worker: an EWMA
// (1/8, as TCP's SRTT) of measured connects; a connect timeout doubles it, so an estimate
// that became too tight loosens instead of failing every connect.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>

namespace edgefront::upstream {

class ConnectRtt {
 public:
  void record(std::chrono::microseconds sample);
  void record_timeout();
  std::optional<std::chrono::microseconds> smoothed() const;

 private:
  // 0 = no sample yet. Racing workers may lose an update: a sample more or less does not
  // matter to an average.
  std::atomic<int64_t> smoothed_us_{0};
};

}  // namespace edgefront::upstream
