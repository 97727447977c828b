// Cache-Control parsing (RFC 9111 5.2) and the choice of the field that governs this cache
// (RFC 9213 targeted fields: Edgefront-Cache-Control, then CDN-Cache-Control).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace edgefront::cache {

// Delta-seconds saturate here (RFC 9111 1.2.2).
inline constexpr std::chrono::seconds kMaxDeltaSeconds{2147483648LL};

struct CacheControl {
  // Response directives.
  std::optional<std::chrono::seconds> max_age;
  std::optional<std::chrono::seconds> s_maxage;
  std::optional<std::chrono::seconds> stale_while_revalidate;
  std::optional<std::chrono::seconds> stale_if_error;
  bool no_store = false;
  bool no_cache = false;
  std::vector<std::string> no_cache_fields;  // no-cache="Set-Cookie, ..." (qualified form)
  bool private_ = false;
  std::vector<std::string> private_fields;  // private="..." (qualified form)
  bool public_ = false;
  bool must_revalidate = false;
  bool proxy_revalidate = false;
  bool immutable = false;
  bool no_transform = false;
  bool must_understand = false;
  // Request directives.
  std::optional<std::chrono::seconds> max_stale;  // max-stale=N
  bool max_stale_any = false;                     // max-stale without a value
  std::optional<std::chrono::seconds> min_fresh;
  bool only_if_cached = false;

  // True when no_cache is unqualified (applies to the whole response).
  bool no_cache_unqualified() const { return no_cache && no_cache_fields.empty(); }
  // True when private is unqualified (the whole response is private).
  bool private_unqualified() const { return private_ && private_fields.empty(); }
};

// Parses one (possibly combined) Cache-Control value. Never fails: unknown directives are
// ignored, a directive with an invalid value is ignored, the first of duplicated
// delta-seconds directives wins... except that a conflicting duplicate makes max-age /
// s-maxage 0 (RFC 9111 4.2.1: treat as stale), and huge numbers saturate at 2^31 s.
CacheControl parse_cache_control(std::string_view value);

// The directives that govern this cache for a response.
struct SelectedCacheControl {
  CacheControl directives;
  // A targeted field (RFC 9213) was used: Cache-Control and Expires are both ignored.
  bool targeted = false;
  std::string_view field;  // name of the field used; empty when none was present
};

// RFC 9213: a valid Edgefront-Cache-Control wins, else a valid CDN-Cache-Control, else the
// (combined) Cache-Control. A targeted field that is not a valid structured dictionary is
// ignored as if absent.
SelectedCacheControl selected_cache_control(const http::HeaderList& response);

// Parses a targeted field (RFC 9213 2.1: a Structured Fields Dictionary, RFC 8941 3.2);
// nullopt when it is not a valid dictionary.
std::optional<CacheControl> parse_targeted_cache_control(std::string_view value);

}  // namespace edgefront::cache
