#include "upstream/fault_table.h"

#include <algorithm>

namespace edgefront::upstream {

FaultTable::FaultTable() { current_.store(std::make_shared<const Snapshot>()); }

void FaultTable::publish(Snapshot next) {
  faults_ = next;
  bool any = !next.empty();
  current_.store(std::make_shared<const Snapshot>(std::move(next)), std::memory_order_release);
  any_.store(any, std::memory_order_release);
}

FaultRef FaultTable::add(FaultSpec spec, obs::Counter* applied, std::optional<FaultRef>* replaced) {
  std::lock_guard lock(edit_mu_);
  auto fault = std::make_shared<InjectedFault>();
  fault->id = next_id_++;
  fault->spec = std::move(spec);
  fault->applied = applied;
  Snapshot next;
  for (const FaultRef& f : faults_) {
    if (f->spec.origin == fault->spec.origin && f->spec.distribution == fault->spec.distribution) {
      if (replaced) *replaced = f;
    } else {
      next.push_back(f);
    }
  }
  next.push_back(fault);
  publish(std::move(next));
  return fault;
}

FaultRef FaultTable::remove(uint64_t id) {
  std::lock_guard lock(edit_mu_);
  auto it =
      std::find_if(faults_.begin(), faults_.end(), [id](const FaultRef& f) { return f->id == id; });
  if (it == faults_.end()) return nullptr;
  FaultRef removed = *it;
  Snapshot next = faults_;
  next.erase(next.begin() + (it - faults_.begin()));
  publish(std::move(next));
  return removed;
}

std::vector<FaultRef> FaultTable::clear() {
  std::lock_guard lock(edit_mu_);
  std::vector<FaultRef> removed = faults_;
  publish({});
  return removed;
}

std::vector<FaultRef> FaultTable::list() const {
  std::lock_guard lock(edit_mu_);
  return faults_;
}

FaultRef FaultTable::find(std::string_view distribution, std::string_view origin) const {
  if (!any_.load(std::memory_order_acquire)) return nullptr;
  std::shared_ptr<const Snapshot> snapshot = current_.load(std::memory_order_acquire);
  FaultRef any_distribution;
  for (const FaultRef& f : *snapshot) {
    if (f->spec.origin != origin) continue;
    if (f->spec.distribution == distribution) return f;
    if (f->spec.distribution.empty()) any_distribution = f;
  }
  return any_distribution;
}

}  // namespace edgefront::upstream
