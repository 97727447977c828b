// Fuzzes the admin API's fault JSON (POST /faults bodies are untrusted): parsing never
// crashes or throws, and an accepted spec satisfies the documented bounds and serializes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "upstream/fault_spec.h"

using namespace edgefront::upstream;

namespace {
void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fault_spec_fuzz: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = parse_fault_spec(text);
  if (!spec.ok()) return 0;
  check(!spec->origin.empty(), "accepted specs name an origin");
  if (spec->kind == FaultKind::kDelay) {
    check(spec->delay_ms >= 1 && spec->delay_ms <= kMaxFaultDelayMs, "delay within bounds");
  }
  if (spec->kind == FaultKind::kStatus) {
    check(spec->status >= 200 && spec->status <= 599, "status within bounds");
  }
  check(!fault_spec_json(1, spec.value(), 0).empty(), "serializes");
  return 0;
}
