// Fuzzes config loading (native YAML and CloudFront DistributionConfig JSON) with arbitrary
// text. Errors are expected (most inputs are not configs; directory origins must exist); the
// loader must never crash, throw or hang, and a config it accepts must hold the invariants the
// rest of the server relies on.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/loader.h"
#include "routing/router.h"

using edgefront::config::CacheBehavior;
using edgefront::config::Distribution;
using edgefront::config::LoadResult;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "config_fuzz: %s\n", what);
  std::abort();
}

bool has_control(std::string_view s) {
  for (char c : s) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

// Ids refuse every control character, tab included.
bool has_id_control(std::string_view s) { return s.find('\t') != s.npos || has_control(s); }

void check_target(const Distribution& d, const CacheBehavior& b) {
  check(d.find_origin(b.target_origin_id) != nullptr || d.find_group(b.target_origin_id) != nullptr,
        "behavior target names no origin or group");
  // Cache settings: ordered TTLs, keys the policy can express, and a policy for the ORP.
  const auto& p = b.cache_policy;
  check(p.min_ttl <= p.default_ttl && p.default_ttl <= p.max_ttl, "TTLs out of order");
  using Behavior = edgefront::config::KeyValues::Behavior;
  check(p.headers.behavior == Behavior::kNone || p.headers.behavior == Behavior::kWhitelist,
        "cache key headers must be none or a whitelist");
  check(!b.origin_request_policy || !p.honour_origin,
        "origin request policy accepted with honour-origin");
}

void check_accepted(const LoadResult& r) {
  const auto& c = r.config;
  check(!c.distributions.empty(), "accepted config without distributions");
  for (const Distribution& d : c.distributions) {
    check(!d.origins.empty(), "accepted distribution without origins");
    for (const auto& o : d.origins) {
      check(!o.id.empty(), "origin without id");
      check(!has_id_control(o.id), "control character in an origin id accepted");
      check(o.is_directory() != !o.domain_name.empty(), "origin is not exactly one kind");
      check(o.origin_path.empty() || (o.origin_path.front() == '/' && o.origin_path.back() != '/'),
            "bad origin_path accepted");
      for (const auto& h : o.custom_headers) {
        check(!h.name.empty() && !has_control(h.name), "bad custom header name accepted");
        check(!has_control(h.value), "control character in a custom header value accepted");
      }
    }
    check(!has_id_control(d.id), "control character in a distribution id accepted");
    for (const auto& g : d.origin_groups) {
      check(!has_id_control(g.id), "control character in a group id accepted");
      for (const std::string& m : g.member_origin_ids) {
        check(d.find_origin(m) != nullptr, "group member names no origin");
      }
    }
    check_target(d, d.default_behavior);
    for (const CacheBehavior& b : d.behaviors) {
      check_target(d, b);
      check(!b.path_pattern.empty(), "empty path pattern accepted");
    }
  }
  // What the server does first with a config: build a router and route through it.
  edgefront::routing::Router router(c);
  for (const Distribution& d : c.distributions) {
    for (const std::string& alias : d.aliases) {
      auto route = router.route(alias, "/");
      check(route.distribution != nullptr && route.behavior != nullptr, "no route");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult r = edgefront::config::load_config_text(text, "/tmp/fuzz.yaml");
  if (r.ok()) check_accepted(r);
  for (const std::string& e : r.problems.errors) check(!e.empty(), "empty error message");
  return 0;
}
