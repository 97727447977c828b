#include "cache/freshness.h"

#include <algorithm>
#include <array>

#include "base/strings.h"
#include "cache/cache_control.h"
#include "http/http_date.h"

namespace edgefront::cache {

namespace {

using std::chrono::seconds;

seconds to_seconds(config::Duration d) {
  return std::max(seconds(0), std::chrono::duration_cast<seconds>(d));
}

bool in(int status, std::initializer_list<int> set) {
  return std::find(set.begin(), set.end(), status) != set.end();
}

// Statuses a CloudFront-mode cache stores under the TTL rules of spec 3.5 (success and
// redirects; errors follow 3.9). Origin redirects are cached (spec 3.14).
bool cloudfront_cacheable_status(int status) {
  return in(status, {200, 203, 204, 206, 300, 301, 302, 303, 307, 308});
}

// Spec 3.9: cached whenever the origin returns them.
bool error_always_cached(int status) { return in(status, {404, 414, 500, 501, 502, 503, 504}); }
// Spec 3.9: cached only with max-age / s-maxage.
bool error_cached_with_max_age(int status) { return in(status, {400, 403, 405, 412, 415}); }

// RFC 9110 15.1: heuristically cacheable status codes.
bool heuristically_cacheable(int status) {
  return in(status, {200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501});
}

// Statuses this cache understands, for must-understand (RFC 9111 5.2.2.3).
bool understood_status(int status) {
  return heuristically_cacheable(status) || in(status, {302, 303, 307});
}

bool has_validator(const http::HeaderList& h) {
  return h.contains("ETag") || h.contains("Last-Modified");
}

bool lists_field(const std::vector<std::string>& fields, std::string_view name) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](const std::string& f) { return iequals(f, name); });
}

// Expires as a lifetime from `base`; an invalid Expires means "already expired" (RFC 9111 5.3).
std::optional<seconds> expires_lifetime(const http::HeaderList& h, SystemTime base) {
  std::optional<std::string_view> expires = h.get("Expires");
  if (!expires) return std::nullopt;
  std::optional<SystemTime> at = http::parse_http_date(*expires);
  if (!at || *at <= base) return seconds(0);
  return std::min(std::chrono::duration_cast<seconds>(*at - base), kMaxDeltaSeconds);
}

// Header fields named by qualified no-cache / private: stored without them.
void collect_omitted_fields(const CacheControl& cc, StorageDecision& d) {
  for (const auto* list : {&cc.no_cache_fields, &cc.private_fields}) {
    for (const std::string& f : *list) {
      if (!lists_field(d.omit_fields, f)) d.omit_fields.push_back(f);
    }
  }
  d.strip_set_cookie = lists_field(d.omit_fields, "Set-Cookie");
}

bool policy_keys_header(const config::CachePolicy& policy, std::string_view name) {
  return policy.headers.behavior == config::KeyValues::Behavior::kWhitelist &&
         lists_field(policy.headers.names, name);
}

// RFC 9111 3.5: a shared cache stores a response to an authenticated request only when the
// response explicitly allows it.
bool authorization_allows(const CacheControl& cc) {
  return cc.public_ || cc.must_revalidate || cc.s_maxage.has_value();
}

StorageDecision not_stored(std::string_view reason) {
  StorageDecision d;
  d.reason = reason;
  d.collapsible = false;
  return d;
}

void apply_stale_extensions(const CacheControl& cc, StorageDecision& d) {
  d.must_revalidate = d.must_revalidate || cc.must_revalidate || cc.proxy_revalidate;
  if (d.must_revalidate) return;  // stale never served without validation (RFC 9111 4.2.4)
  d.stale_while_revalidate = cc.stale_while_revalidate.value_or(seconds(0));
  d.stale_if_error = cc.stale_if_error.value_or(seconds(0));
}

// Spec 3.9: origin errors cached for max(header, ErrorCachingMinTTL), header capped at MaxTTL.
StorageDecision decide_error(const config::CachePolicy& policy, const http::ResponseHead& response,
                             const SelectedCacheControl& sel, SystemTime response_time,
                             seconds error_caching_min_ttl) {
  const CacheControl& cc = sel.directives;
  int status = response.status;
  if (status == 416) return not_stored("416 is never cached");
  bool has_max_age = cc.s_maxage || cc.max_age;
  if (!error_always_cached(status) && !(error_cached_with_max_age(status) && has_max_age)) {
    return not_stored(error_cached_with_max_age(status) ? "error status without max-age"
                                                        : "error status not cacheable");
  }
  std::optional<seconds> header = cc.s_maxage ? cc.s_maxage : cc.max_age;
  if (!header && !sel.targeted) header = expires_lifetime(response.headers, response_time);
  seconds ttl = error_caching_min_ttl;
  if (header) ttl = std::max(std::min(*header, to_seconds(policy.max_ttl)), ttl);
  if (ttl <= seconds(0)) return not_stored("ErrorCachingMinTTL is 0");
  StorageDecision d;
  d.store = true;
  d.ttl = ttl;
  d.serve_stale_on_origin_error = false;
  collect_omitted_fields(cc, d);
  return d;
}

StorageDecision decide_cloudfront(const config::CachePolicy& policy,
                                  const http::RequestHead& request,
                                  const http::ResponseHead& response, SystemTime response_time,
                                  seconds error_caching_min_ttl) {
  if (request.method != http::Method::kGet && request.method != http::Method::kOptions) {
    return not_stored("method not cached");
  }
  SelectedCacheControl sel = selected_cache_control(response.headers);
  const CacheControl& cc = sel.directives;
  if (response.status >= 400) {
    return decide_error(policy, response, sel, response_time, error_caching_min_ttl);
  }
  if (!cloudfront_cacheable_status(response.status)) return not_stored("status not cacheable");

  seconds min_ttl = to_seconds(policy.min_ttl);
  seconds max_ttl = to_seconds(policy.max_ttl);
  seconds default_ttl = to_seconds(policy.default_ttl);
  bool refused = cc.no_store || cc.no_cache_unqualified() || cc.private_unqualified();

  if (min_ttl == seconds(0)) {
    if (cc.no_store) return not_stored("no-store");
    if (cc.private_unqualified()) return not_stored("private");
    if (cc.no_cache_unqualified()) return not_stored("no-cache");
    if (request.headers.contains("Authorization") && !policy_keys_header(policy, "Authorization") &&
        !authorization_allows(cc)) {
      return not_stored("Authorization without public, s-maxage or must-revalidate");
    }
    if (response.headers.has_token("Vary", "*")) return not_stored("Vary: *");
  }

  StorageDecision d;
  std::optional<seconds> header = cc.s_maxage ? cc.s_maxage : cc.max_age;
  if (!header && !sel.targeted) header = expires_lifetime(response.headers, response_time);
  if (refused) {
    d.ttl = min_ttl;  // MinTTL > 0 overrides no-cache / no-store / private (spec 3.5)
  } else if (header) {
    d.ttl = std::min(std::max(*header, min_ttl), max_ttl);
  } else {
    d.ttl = std::min(std::max(default_ttl, min_ttl), std::max(max_ttl, min_ttl));
  }
  // A zero lifetime is only worth storing when it can be revalidated.
  if (d.ttl <= seconds(0) && !has_validator(response.headers)) {
    return not_stored("zero TTL and no validator");
  }
  d.store = true;
  apply_stale_extensions(cc, d);
  // Spec 3.5 warning: the stored copy is served when the origin fails, unless the origin
  // opted out with stale-if-error=0.
  d.serve_stale_on_origin_error =
      !d.must_revalidate && !(cc.stale_if_error && *cc.stale_if_error == seconds(0));
  collect_omitted_fields(cc, d);
  // Spec 3.11: per-object collapsing is off with MinTTL 0 and an uncacheable-now response.
  bool zero_age =
      (cc.max_age && *cc.max_age == seconds(0)) || (cc.s_maxage && *cc.s_maxage == seconds(0));
  d.collapsible = !(min_ttl == seconds(0) && (refused || zero_age));
  return d;
}

// RFC 9111 3 and 4.2 for a shared cache.
StorageDecision decide_honour_origin(const http::RequestHead& request,
                                     const http::ResponseHead& response, SystemTime response_time) {
  if (request.method != http::Method::kGet) return not_stored("method not cached");
  int status = response.status;
  if (status < 200 || status == 304) return not_stored("status not cacheable");
  SelectedCacheControl sel = selected_cache_control(response.headers);
  const CacheControl& cc = sel.directives;
  if (cc.must_understand) {
    if (!understood_status(status)) return not_stored("must-understand: status not understood");
  } else if (cc.no_store) {
    return not_stored("no-store");
  }
  if (cc.private_unqualified()) return not_stored("private");
  if (request.headers.contains("Authorization") && !authorization_allows(cc)) {
    return not_stored("Authorization without public, s-maxage or must-revalidate");
  }
  if (response.headers.has_token("Vary", "*")) return not_stored("Vary: *");

  std::optional<seconds> lifetime = cc.s_maxage ? cc.s_maxage : cc.max_age;
  // The origin's own Date; without a valid one, the time the response was received
  // (RFC 9111 4.2.1, RFC 9110 6.6.1).
  SystemTime date = response_time;
  if (std::optional<std::string_view> d = response.headers.get("Date")) {
    date = http::parse_http_date(*d).value_or(response_time);
  }
  if (!lifetime && !sel.targeted && response.headers.contains("Expires")) {
    lifetime = expires_lifetime(response.headers, date);
  }
  bool explicit_expiry = lifetime.has_value();
  if (!explicit_expiry && !cc.public_ && !heuristically_cacheable(status)) {
    return not_stored("no explicit freshness and status not heuristically cacheable");
  }

  StorageDecision d;
  if (lifetime) {
    d.ttl = *lifetime;
  } else if (heuristically_cacheable(status) || cc.public_) {
    // RFC 9111 4.2.2: 10% of the time since Last-Modified, capped at one day. `public`
    // without explicit freshness makes any status heuristically cacheable (5.2.2.9).
    std::optional<std::string_view> lm_text = response.headers.get("Last-Modified");
    std::optional<SystemTime> lm = lm_text ? http::parse_http_date(*lm_text) : std::nullopt;
    if (lm && *lm < date) {
      seconds since = std::chrono::duration_cast<seconds>(date - *lm);
      d.ttl = std::min(since / 10, seconds(86400));
      d.heuristic = true;
    }
  }
  d.revalidate_always = cc.no_cache_unqualified();
  // s-maxage carries proxy-revalidate's meaning for shared caches (RFC 9111 5.2.2.10).
  d.must_revalidate = cc.s_maxage.has_value();
  apply_stale_extensions(cc, d);
  d.serve_stale_on_origin_error = false;  // only stale-if-error allows it in this mode
  collect_omitted_fields(cc, d);
  if (d.ttl <= seconds(0) && !has_validator(response.headers) && d.stale_if_error <= seconds(0)) {
    return not_stored("stale on arrival and no validator");
  }
  d.store = true;
  d.collapsible = d.ttl > seconds(0) && !d.revalidate_always;
  return d;
}

}  // namespace

StorageDecision decide_storage(const config::CachePolicy& policy, const http::RequestHead& request,
                               const http::ResponseHead& response, SystemTime response_time,
                               std::chrono::seconds error_caching_min_ttl) {
  if (policy.honour_origin) return decide_honour_origin(request, response, response_time);
  if (policy.caching_disabled()) return not_stored("caching disabled by the cache policy");
  return decide_cloudfront(policy, request, response, response_time, error_caching_min_ttl);
}

AgeInputs age_inputs(const http::HeaderList& response, SystemTime request_time,
                     SystemTime response_time) {
  AgeInputs in;
  in.request_time = request_time;
  in.response_time = response_time;
  if (std::optional<std::string_view> date = response.get("Date")) {
    in.date = http::parse_http_date(*date);
  }
  if (std::optional<std::string_view> age = response.get("Age")) {
    // Age is delta-seconds; an invalid value is ignored.
    CacheControl probe = parse_cache_control("max-age=" + std::string(trim(*age)));
    if (probe.max_age) in.age_value = *probe.max_age;
  }
  return in;
}

std::chrono::seconds current_age(const AgeInputs& in, SystemTime now) {
  using std::chrono::duration_cast;
  seconds apparent_age(0);
  if (in.date && in.response_time > *in.date) {
    apparent_age = duration_cast<seconds>(in.response_time - *in.date);
  }
  seconds response_delay(0);
  if (in.response_time > in.request_time) {
    response_delay = duration_cast<seconds>(in.response_time - in.request_time);
  }
  seconds corrected_initial_age = std::max(apparent_age, in.age_value + response_delay);
  seconds resident_time(0);
  if (now > in.response_time) resident_time = duration_cast<seconds>(now - in.response_time);
  return corrected_initial_age + resident_time;
}

Freshness classify_freshness(const StorageDecision& stored, std::chrono::seconds age) {
  if (stored.revalidate_always) return Freshness::kStale;
  if (age < stored.ttl) return Freshness::kFresh;
  if (!stored.must_revalidate && age < stored.ttl + stored.stale_while_revalidate) {
    return Freshness::kStaleWhileRevalidate;
  }
  return Freshness::kStale;
}

bool usable_on_error(const StorageDecision& stored, std::chrono::seconds age) {
  if (stored.must_revalidate) return false;
  if (stored.serve_stale_on_origin_error) return true;
  return age < stored.ttl + stored.stale_if_error;
}

bool policy_allows_collapsing(const config::CachePolicy& policy,
                              const config::Forwarding& forwarding) {
  if (policy.honour_origin) return true;  // per response: Vary and the storage decision govern
  if (policy.caching_disabled()) return false;
  return forwarding.cookies == config::Forwarding::Cookies::kNone;
}

void refresh_from_304(http::HeaderList& stored, const http::HeaderList& not_modified) {
  // Fields the 304 may not change: framing, and those describing the stored body's coding.
  constexpr std::array<std::string_view, 5> kKept = {
      "Content-Length", "Transfer-Encoding", "Content-Range", "Content-Encoding", "Trailer"};
  std::vector<std::string> updated;
  for (const http::HeaderList::Field& field : not_modified.fields()) {
    const std::string& name = field.first;
    if (http::is_hop_by_hop(name) || not_modified.has_token("Connection", name)) continue;
    bool kept = std::any_of(kKept.begin(), kKept.end(),
                            [&](std::string_view k) { return iequals(k, name); });
    if (kept) continue;
    if (!lists_field(updated, name)) {
      stored.remove(name);
      updated.push_back(name);
    }
    stored.add(name, field.second);
  }
}

}  // namespace edgefront::cache
