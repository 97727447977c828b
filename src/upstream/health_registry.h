// Every origin's OriginHealth, keyed by (distribution id, origin id) so health survives config
// reloads. Entries are created off the hot path (when a Runtime is built) and never freed.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "upstream/origin_health.h"

namespace edgefront::upstream {

class HealthRegistry {
 public:
  OriginHealth* get(const std::string& distribution, const std::string& origin) {
    std::lock_guard lock(mu_);
    auto& slot = entries_[{distribution, origin}];
    if (!slot) slot = std::make_unique<OriginHealth>();
    return slot.get();
  }

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<OriginHealth>> entries_;
};

}  // namespace edgefront::upstream
