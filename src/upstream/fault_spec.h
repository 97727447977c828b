// An injected origin fault as operators describe it on the admin API (POST /faults): which
// origin, what kind of failure, and its parameters. Parsing is strict (unknown fields and
// missing parameters are refused) and never throws: the JSON comes from the network.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace edgefront::upstream {

enum class FaultKind {
  kRefuse,        // the connect fails at once, as on a closed port
  kBlackhole,     // the connect never completes: ConnectionTimeout applies
  kDelay,         // the response head comes `delay_ms` late (OriginReadTimeout applies)
  kStatus,        // a synthetic response with `status`, no connection made
  kResetMidBody,  // the body is cut after `after_bytes` bytes, as by a connection reset
};

struct FaultSpec {
  std::string distribution;  // empty: the origin id in every distribution
  std::string origin;
  FaultKind kind = FaultKind::kRefuse;
  uint32_t delay_ms = 0;     // kDelay
  int status = 0;            // kStatus
  uint64_t after_bytes = 0;  // kResetMidBody
};

// Longest delay accepted (10 minutes): longer would only pin viewer connections.
inline constexpr uint32_t kMaxFaultDelayMs = 600'000;

const char* fault_kind_name(FaultKind kind);

// Parses {"origin": id, "kind": ..., "delay_ms", "status", "after_bytes", "distribution"}.
Result<FaultSpec> parse_fault_spec(std::string_view json);

// The spec as a JSON object (without the braces' surroundings: `{...}`), plus `id`.
std::string fault_spec_json(uint64_t id, const FaultSpec& spec, uint64_t applied);

}  // namespace edgefront::upstream
