#include "cache/request_directives.h"

#include "cache/cache_control.h"

namespace edgefront::cache {

RequestDirectives request_directives(const config::CachePolicy& policy,
                                     const http::RequestHead& request) {
  RequestDirectives out;
  if (!policy.honour_origin) return out;
  std::optional<std::string> value = request.headers.get_combined("Cache-Control");
  if (!value) {
    // RFC 9111 5.4: Pragma: no-cache counts only when Cache-Control is absent.
    out.revalidate = request.headers.has_token("Pragma", "no-cache");
    return out;
  }
  CacheControl cc = parse_cache_control(*value);
  out.no_store = cc.no_store;
  out.revalidate = cc.no_cache;
  out.only_if_cached = cc.only_if_cached;
  out.max_age = cc.max_age;
  out.min_fresh = cc.min_fresh;
  out.max_stale = cc.max_stale;
  out.max_stale_any = cc.max_stale_any;
  return out;
}

bool satisfies_request(const RequestDirectives& request, const StorageDecision& stored,
                       std::chrono::seconds age) {
  using std::chrono::seconds;
  if (request.revalidate || stored.revalidate_always) return false;
  if (request.max_age && age > *request.max_age) return false;
  if (age < stored.ttl) {
    return !request.min_fresh || stored.ttl - age >= *request.min_fresh;
  }
  // Stale: only when the request accepts it and the response allows it (RFC 9111 4.2.4).
  if (stored.must_revalidate) return false;
  if (request.max_stale_any) return true;
  return request.max_stale && age - stored.ttl <= *request.max_stale;
}

}  // namespace edgefront::cache
