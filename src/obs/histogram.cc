#include "obs/histogram.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace edgefront::obs {

double HistogramSnapshot::quantile_bound(double q) const {
  if (count == 0 || bounds.empty()) return 0;
  // The rank of the quantile sample, 1-based: ceil(q * count).
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count)));
  rank = std::clamp<uint64_t>(rank, 1, count);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank) return i < bounds.size() ? bounds[i] : bounds.back();
  }
  return bounds.back();
}

Histogram::Histogram(unsigned slots, std::vector<double> bounds)
    : bounds_(std::move(bounds)), slots_(std::make_unique<Slot[]>(slots)), slot_count_(slots) {
  std::sort(bounds_.begin(), bounds_.end());
  for (unsigned i = 0; i < slots; ++i) {
    slots_[i].buckets = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  }
}

void Histogram::observe(unsigned slot, double value) {
  Slot& s = slots_[slot];
  size_t b = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                 bounds_.begin());
  auto bump = [](std::atomic<uint64_t>& a) {
    a.store(a.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  };
  bump(s.buckets[b]);
  bump(s.count);
  s.sum.store(s.sum.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot out;
  out.bounds = bounds_;
  out.counts.assign(bounds_.size() + 1, 0);
  for (unsigned i = 0; i < slot_count_; ++i) {
    for (size_t b = 0; b <= bounds_.size(); ++b) {
      out.counts[b] += slots_[i].buckets[b].load(std::memory_order_relaxed);
    }
    out.count += slots_[i].count.load(std::memory_order_relaxed);
    out.sum += slots_[i].sum.load(std::memory_order_relaxed);
  }
  return out;
}

Histogram* HistogramFamily::get(const std::vector<std::string>& label_values) {
  std::lock_guard lock(mu_);
  auto& h = histograms_[label_values];
  if (!h) h = std::make_unique<Histogram>(slots_, spec_.bounds);
  return h.get();
}

namespace {
std::string labels_text(const HistogramSpec& spec, const std::vector<std::string>& values,
                        const std::string& le) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!out.empty()) out += ',';
    std::string v;
    for (char c : values[i]) {
      if (c == '\\' || c == '"') v.push_back('\\');
      if (c == '\n') {
        v += "\\n";
        continue;
      }
      v.push_back(c);
    }
    out += fmt::format("{}=\"{}\"", spec.label_names[i], v);
  }
  if (!le.empty()) {
    if (!out.empty()) out += ',';
    out += fmt::format("le=\"{}\"", le);
  }
  return out.empty() ? out : "{" + out + "}";
}
}  // namespace

void HistogramFamily::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", spec_.name, spec_.help, spec_.name);
  std::lock_guard lock(mu_);
  for (const auto& [labels, h] : histograms_) {
    HistogramSnapshot s = h->snapshot();
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= s.bounds.size(); ++b) {
      cumulative += s.counts[b];
      std::string le = b < s.bounds.size() ? fmt::format("{}", s.bounds[b]) : "+Inf";
      out +=
          fmt::format("{}_bucket{} {}\n", spec_.name, labels_text(spec_, labels, le), cumulative);
    }
    out += fmt::format("{}_sum{} {}\n", spec_.name, labels_text(spec_, labels, ""), s.sum);
    out += fmt::format("{}_count{} {}\n", spec_.name, labels_text(spec_, labels, ""), s.count);
  }
}

}  // namespace edgefront::obs
