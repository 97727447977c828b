// Fuzzes Cache-Control and targeted-field parsing (origin headers are untrusted) and the
// storage decision built on them: no crash, lifetimes within delta-seconds bounds, and a
// stored decision never longer than the policy allows.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "cache/cache_control.h"
#include "cache/freshness.h"

using namespace edgefront;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "cache_control_fuzz: %s\n", what);
  std::abort();
}

void check_bounds(const cache::CacheControl& cc) {
  for (const auto* v : {&cc.max_age, &cc.s_maxage, &cc.stale_while_revalidate, &cc.stale_if_error,
                        &cc.max_stale, &cc.min_fresh}) {
    if (*v) {
      check(v->value() >= std::chrono::seconds(0), "delta-seconds never negative");
      check(v->value() <= cache::kMaxDeltaSeconds, "delta-seconds saturate at 2^31");
    }
  }
  if (!cc.no_cache) check(cc.no_cache_fields.empty(), "no-cache fields only with no-cache");
  if (!cc.private_) check(cc.private_fields.empty(), "private fields only with private");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_bounds(cache::parse_cache_control(text));
  if (std::optional<cache::CacheControl> targeted = cache::parse_targeted_cache_control(text)) {
    check_bounds(*targeted);
  }

  http::ResponseHead response;
  response.headers.add("Cache-Control", text);
  response.headers.add("CDN-Cache-Control", text);
  response.headers.add("Expires", text);
  http::RequestHead request;
  request.target = "/";
  config::CachePolicy policy;
  policy.min_ttl = std::chrono::seconds(size % 3);
  policy.max_ttl = std::chrono::seconds(1000);
  SystemTime now{std::chrono::seconds(1'700'000'000)};
  cache::StorageDecision d =
      cache::decide_storage(policy, request, response, now, std::chrono::seconds(10));
  if (d.store) {
    check(d.ttl <= std::chrono::seconds(1000), "TTL within MaxTTL");
    check(d.ttl >= std::chrono::seconds(size % 3), "TTL at least MinTTL");
  } else {
    check(!d.reason.empty(), "a refusal says why");
  }
  policy.honour_origin = true;
  cache::StorageDecision h =
      cache::decide_storage(policy, request, response, now, std::chrono::seconds(10));
  if (h.store) check(h.ttl >= std::chrono::seconds(0), "TTL never negative");
  return 0;
}
