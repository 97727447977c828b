// One distribution's CloudFront metrics (CloudWatch's Requests, BytesDownloaded,
// BytesUploaded, the error rates, CacheHitRate) and its viewer request duration: the counters
// are looked up once when a Runtime is built, so recording a request is a few relaxed stores
// on the worker's own slots and one histogram bucket.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "obs/metric_table.h"

namespace edgefront::obs {

// The statuses CloudWatch reports a rate of on their own (401ErrorRate, ..., 504ErrorRate).
inline constexpr std::array<int, 6> kReportedErrorCodes{401, 403, 404, 502, 503, 504};

// Index of `status` in kReportedErrorCodes, or -1.
constexpr int reported_error_index(int status) {
  for (size_t i = 0; i < kReportedErrorCodes.size(); ++i) {
    if (kReportedErrorCodes[i] == status) return static_cast<int>(i);
  }
  return -1;
}

class DistributionMetrics {
 public:
  DistributionMetrics() = default;
  DistributionMetrics(Registry& registry, const std::string& distribution);

  // One answered viewer request; `slot` is the caller's counter slot.
  void record_request(unsigned slot, int status, uint64_t bytes_in, uint64_t bytes_out,
                      double seconds) const {
    requests_->add(slot);
    if (bytes_in) bytes_uploaded_->add(slot, bytes_in);
    if (bytes_out) bytes_downloaded_->add(slot, bytes_out);
    const int c = status / 100;
    if (c >= 1 && c <= 5) by_class_[c - 1]->add(slot);
    if (c >= 4) {
      if (int i = reported_error_index(status); i >= 0) by_code_[i]->add(slot);
    }
    duration_->observe(slot, seconds);
  }
  // One cacheable request and whether the cache answered it.
  void record_lookup(unsigned slot, bool hit) const {
    lookups_->add(slot);
    if (hit) hits_->add(slot);
  }

  // Read side (the status page's sampler).
  struct Totals {
    uint64_t requests = 0, bytes_downloaded = 0, bytes_uploaded = 0, lookups = 0, hits = 0;
    std::array<uint64_t, 5> by_class{};
    std::array<uint64_t, kReportedErrorCodes.size()> by_code{};
  };
  Totals totals() const;
  const Histogram* duration() const { return duration_; }

 private:
  Counter* requests_ = nullptr;
  Counter* bytes_downloaded_ = nullptr;
  Counter* bytes_uploaded_ = nullptr;
  std::array<Counter*, 5> by_class_{};
  std::array<Counter*, kReportedErrorCodes.size()> by_code_{};
  Counter* lookups_ = nullptr;
  Counter* hits_ = nullptr;
  Histogram* duration_ = nullptr;
};

}  // namespace edgefront::obs
