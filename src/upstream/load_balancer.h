// Active-active origin groups (pure): which available member takes a request under each
// load-balancing mode. The caller supplies the shared state (in-flight counts, latency
// estimates, a round-robin ticket, random numbers) so every policy is testable without I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "config/config.h"

namespace edgefront::upstream {

struct LbMember {
  std::string_view id;
  bool eligible = true;    // available (health) and under its concurrency limit
  int weight = 1;          // >= 1
  uint64_t in_flight = 0;  // requests in flight to it, all workers
  double latency_us = 0;   // smoothed response time; 0 = no sample yet
};

// Weighted round robin: ticket t (a shared counter) lands in member i's share of the total
// weight of the eligible members, so over sum(weights) tickets each gets exactly its weight.
std::optional<size_t> pick_weighted_round_robin(std::span<const LbMember> members, uint64_t ticket);
// Least request with two random choices (weighted: in_flight / weight); r1, r2 random.
std::optional<size_t> pick_least_request(std::span<const LbMember> members, uint64_t r1,
                                         uint64_t r2);
// Weighted rendezvous hashing on `key`: the same key goes to the same member while it is
// eligible; when a member leaves, only its keys move.
std::optional<size_t> pick_consistent_hash(std::span<const LbMember> members, std::string_view key);
// Latency-aware: two random choices, lower latency x (in_flight + 1) / weight wins; a member
// without a sample wins (so it gets one).
std::optional<size_t> pick_ewma(std::span<const LbMember> members, uint64_t r1, uint64_t r2);

std::optional<size_t> pick_member(config::OriginGroup::LoadBalancing mode,
                                  std::span<const LbMember> members, std::string_view key,
                                  uint64_t ticket, uint64_t r1, uint64_t r2);

}  // namespace edgefront::upstream
