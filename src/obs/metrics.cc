#include "obs/metrics.h"

#include <fmt/format.h>

namespace edgefront::obs {

Counter::Counter(unsigned slots) : slots_(std::make_unique<Slot[]>(slots)), count_(slots) {}

uint64_t Counter::value() const {
  uint64_t sum = 0;
  for (unsigned i = 0; i < count_; ++i) sum += slots_[i].value.load(std::memory_order_relaxed);
  return sum;
}

Counter* CounterFamily::get(const std::vector<std::string>& label_values) {
  std::lock_guard lock(mu_);
  auto& slot = counters_[label_values];
  if (!slot) slot = std::make_unique<Counter>(slots_);
  return slot.get();
}

namespace {
std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}
}  // namespace

void CounterFamily::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", spec_.name, spec_.help, spec_.name);
  std::lock_guard lock(mu_);
  for (const auto& [labels, counter] : counters_) {
    out += spec_.name;
    if (!labels.empty()) {
      out += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i) out += ',';
        out += fmt::format("{}=\"{}\"", spec_.label_names[i], escape_label(labels[i]));
      }
      out += '}';
    }
    out += fmt::format(" {}\n", counter->value());
  }
}

}  // namespace edgefront::obs
