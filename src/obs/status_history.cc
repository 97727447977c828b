#include "obs/status_history.h"

namespace edgefront::obs {

const char* health_verdict(const OriginHealthSample& s) {
  if (s.ejected) return "ejected";
  if (!s.active_healthy) return "unhealthy";
  if (!s.available) return "resting";  // a Retry-After pause
  return "healthy";
}

std::vector<const char*> health_events(const OriginHealthSample& before,
                                       const OriginHealthSample& after) {
  std::vector<const char*> out;
  if (after.ejections > before.ejections) out.push_back("ejection");
  if (before.active_healthy && !after.active_healthy) out.push_back("unhealthy");
  if (!before.available && after.available) out.push_back("recovery");
  return out;
}

bool FailoverEpisodes::note(uint64_t total, SteadyTime now) {
  const bool first_look = !last_total_;
  const bool moved = !first_look && total > *last_total_;
  last_total_ = total;
  if (!moved) return false;
  const bool starts = !last_failover_ || now - *last_failover_ >= quiet_;
  last_failover_ = now;
  return starts;
}

int serving_member(const std::vector<uint64_t>& served_deltas, int previous) {
  int best = -1;
  for (size_t i = 0; i < served_deltas.size(); ++i) {
    if (served_deltas[i] > 0 && (best < 0 || served_deltas[i] > served_deltas[best])) {
      best = static_cast<int>(i);
    }
  }
  return best >= 0 ? best : previous;
}

}  // namespace edgefront::obs
