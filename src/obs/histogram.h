// Histograms (Prometheus `histogram` type): fixed bucket bounds, one slot per worker like
// Counter (relaxed load+store on the worker's own cache lines), summed on read.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "obs/metrics.h"

namespace edgefront::obs {

struct HistogramSnapshot {
  std::vector<double> bounds;    // upper bounds, ascending (+Inf implied)
  std::vector<uint64_t> counts;  // per bucket, not cumulative; bounds.size() + 1 entries
  uint64_t count = 0;
  double sum = 0;
  // Upper bound of the bucket holding quantile q (0 < q <= 1); +Inf bucket gives the last
  // finite bound; 0 when empty.
  double quantile_bound(double q) const;
};

class Histogram {
 public:
  Histogram(unsigned slots, std::vector<double> bounds);
  // Called only by the thread owning `slot`.
  void observe(unsigned slot, double value);
  HistogramSnapshot snapshot() const;

 private:
  struct alignas(64) Slot {
    std::unique_ptr<std::atomic<uint64_t>[]> buckets;
    std::atomic<uint64_t> count{0};
    std::atomic<double> sum{0};
  };
  std::vector<double> bounds_;
  std::unique_ptr<Slot[]> slots_;
  unsigned slot_count_;
};

struct HistogramSpec {
  const char* name;
  const char* help;
  std::vector<const char*> label_names;
  std::vector<double> bounds;
};

// Labelled histograms, created off the hot path and never freed (as CounterFamily).
class HistogramFamily {
 public:
  HistogramFamily(const HistogramSpec& spec, unsigned slots) : spec_(spec), slots_(slots) {}
  Histogram* get(const std::vector<std::string>& label_values);
  void render(std::string& out) const;

 private:
  const HistogramSpec& spec_;
  unsigned slots_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Histogram>> histograms_;
};

}  // namespace edgefront::obs
