// The origin faults in force, published to workers as an immutable snapshot (like the
// Runtime): the admin API edits the table on the control thread, each edit publishes a new
// snapshot, and a worker's lookup is one relaxed load while no fault is injected.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "obs/metrics.h"
#include "upstream/fault_spec.h"

namespace edgefront::upstream {

struct InjectedFault {
  uint64_t id = 0;
  FaultSpec spec;
  obs::Counter* applied = nullptr;  // origin attempts that met this fault (may be null)
};

using FaultRef = std::shared_ptr<const InjectedFault>;

class FaultTable {
 public:
  FaultTable();

  // Injects a fault; one with the same distribution and origin is replaced (returned in
  // `replaced`). Ids start at 1 and are never reused.
  FaultRef add(FaultSpec spec, obs::Counter* applied, std::optional<FaultRef>* replaced);
  // Removes one fault; null if no fault has that id.
  FaultRef remove(uint64_t id);
  // Removes every fault; returns them.
  std::vector<FaultRef> clear();
  std::vector<FaultRef> list() const;

  // The fault for an origin of a distribution, if any: one naming the distribution wins over
  // one that names only the origin. Called by workers on every origin attempt.
  FaultRef find(std::string_view distribution, std::string_view origin) const;

 private:
  using Snapshot = std::vector<FaultRef>;
  void publish(Snapshot next);

  mutable std::mutex edit_mu_;  // serializes edits; readers never take it
  Snapshot faults_;             // the edit copy (under edit_mu_)
  uint64_t next_id_ = 1;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::atomic<bool> any_{false};
};

}  // namespace edgefront::upstream
