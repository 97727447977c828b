#include "upstream/load_balancer.h"

#include <xxhash.h>

#include <cmath>
#include <limits>
#include <vector>

namespace edgefront::upstream {

namespace {

// The eligible members' indexes (groups are small: a handful of members).
std::vector<size_t> eligible_of(std::span<const LbMember> members) {
  std::vector<size_t> out;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].eligible) out.push_back(i);
  }
  return out;
}

// Two distinct eligible members chosen at random (the same one twice if there is only one).
std::pair<size_t, size_t> two_choices(const std::vector<size_t>& eligible, uint64_t r1,
                                      uint64_t r2) {
  size_t n = eligible.size();
  size_t a = static_cast<size_t>(r1 % n);
  if (n == 1) return {eligible[a], eligible[a]};
  size_t b = (a + 1 + static_cast<size_t>(r2 % (n - 1))) % n;
  return {eligible[a], eligible[b]};
}

int weight_of(const LbMember& m) { return m.weight > 0 ? m.weight : 1; }

}  // namespace

std::optional<size_t> pick_weighted_round_robin(std::span<const LbMember> members,
                                                uint64_t ticket) {
  uint64_t total = 0;
  for (const LbMember& m : members) total += m.eligible ? static_cast<uint64_t>(weight_of(m)) : 0;
  if (total == 0) return std::nullopt;
  uint64_t slot = ticket % total;
  for (size_t i = 0; i < members.size(); ++i) {
    if (!members[i].eligible) continue;
    uint64_t w = static_cast<uint64_t>(weight_of(members[i]));
    if (slot < w) return i;
    slot -= w;
  }
  return std::nullopt;
}

std::optional<size_t> pick_least_request(std::span<const LbMember> members, uint64_t r1,
                                         uint64_t r2) {
  std::vector<size_t> eligible = eligible_of(members);
  if (eligible.empty()) return std::nullopt;
  auto [a, b] = two_choices(eligible, r1, r2);
  auto load = [&](size_t i) {
    return static_cast<double>(members[i].in_flight) / weight_of(members[i]);
  };
  return load(b) < load(a) ? b : a;
}

std::optional<size_t> pick_consistent_hash(std::span<const LbMember> members,
                                           std::string_view key) {
  std::optional<size_t> best;
  double best_score = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < members.size(); ++i) {
    if (!members[i].eligible) continue;
    uint64_t h =
        XXH64(key.data(), key.size(), XXH64(members[i].id.data(), members[i].id.size(), 0));
    // A uniform number in (0, 1) from the hash; the weighted score -w / ln(u) keeps each
    // member's share proportional to its weight.
    double u = (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0;  // 2^53
    double score = -static_cast<double>(weight_of(members[i])) / std::log(u);
    if (score > best_score) {
      best_score = score;
      best = i;
    }
  }
  return best;
}

std::optional<size_t> pick_ewma(std::span<const LbMember> members, uint64_t r1, uint64_t r2) {
  std::vector<size_t> eligible = eligible_of(members);
  if (eligible.empty()) return std::nullopt;
  auto [a, b] = two_choices(eligible, r1, r2);
  auto cost = [&](size_t i) {
    const LbMember& m = members[i];
    return m.latency_us * static_cast<double>(m.in_flight + 1) / weight_of(m);
  };
  return cost(b) < cost(a) ? b : a;
}

std::optional<size_t> pick_member(config::OriginGroup::LoadBalancing mode,
                                  std::span<const LbMember> members, std::string_view key,
                                  uint64_t ticket, uint64_t r1, uint64_t r2) {
  using LB = config::OriginGroup::LoadBalancing;
  switch (mode) {
    case LB::kWeightedRoundRobin:
      return pick_weighted_round_robin(members, ticket);
    case LB::kLeastRequest:
      return pick_least_request(members, r1, r2);
    case LB::kConsistentHash:
      return pick_consistent_hash(members, key);
    case LB::kEwma:
      return pick_ewma(members, r1, r2);
    case LB::kPriority:
      break;
  }
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].eligible) return i;
  }
  return std::nullopt;
}

}  // namespace edgefront::upstream
