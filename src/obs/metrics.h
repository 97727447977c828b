// Counters: each worker writes its own cache-line slot (no contention on the hot path); a
// reader sums the slots. Families with labels are declared once in metric_table.h.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace edgefront::obs {

class Counter {
 public:
  explicit Counter(unsigned slots);
  // Called only by worker `slot`'s thread (or, for slot 0, the control thread when workers
  // are not involved). A relaxed load+store: no read-modify-write across cores.
  void add(unsigned slot, uint64_t n = 1) {
    auto& v = slots_[slot].value;
    v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t value() const;

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> value{0};
  };
  std::unique_ptr<Slot[]> slots_;
  unsigned count_;
};

struct FamilySpec {
  const char* name;
  const char* help;
  std::vector<const char*> label_names;
};

// A labelled family: one Counter per distinct label-value tuple, created off the hot path
// (when a config snapshot is built) and never freed, so pointers stay valid across reloads.
class CounterFamily {
 public:
  CounterFamily(const FamilySpec& spec, unsigned slots) : spec_(spec), slots_(slots) {}
  Counter* get(const std::vector<std::string>& label_values);
  void render(std::string& out) const;

 private:
  const FamilySpec& spec_;
  unsigned slots_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Counter>> counters_;
};

}  // namespace edgefront::obs
