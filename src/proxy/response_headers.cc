#include "proxy/response_headers.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"

namespace edgefront::proxy {

namespace {

using Header = config::ResponseHeadersPolicy::Header;

void apply(http::HeaderList& headers, std::string_view name, std::string_view value,
           bool override) {
  if (override) {
    headers.set(name, value);
  } else if (!headers.contains(name)) {
    headers.add(name, value);
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// "https://a.example.org:8443" -> "a.example.org".
std::string_view origin_host(std::string_view origin) {
  size_t scheme = origin.find("://");
  if (scheme != std::string_view::npos) origin.remove_prefix(scheme + 3);
  size_t colon = origin.rfind(':');
  if (colon != std::string_view::npos && origin.find(']') == std::string_view::npos) {
    origin = origin.substr(0, colon);
  }
  return origin;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

void apply_cors(const config::ResponseHeadersPolicy::Cors& cors, const http::RequestHead& request,
                http::HeaderList& headers) {
  std::optional<std::string_view> origin = request.headers.get("Origin");
  if (!origin || origin->empty() || !cors_origin_allowed(cors, *origin)) return;
  const bool override = cors.origin_override;
  if (!override && headers.contains("Access-Control-Allow-Origin")) return;  // origin's CORS
  const bool any = std::find(cors.allow_origins.begin(), cors.allow_origins.end(), "*") !=
                   cors.allow_origins.end();
  if (any && !cors.allow_credentials) {
    apply(headers, "Access-Control-Allow-Origin", "*", override);
  } else {
    // Echoing the viewer's origin makes the answer depend on it: caches downstream must know.
    apply(headers, "Access-Control-Allow-Origin", *origin, override);
    headers.add_list_token("Vary", "Origin");
  }
  if (cors.allow_credentials) {
    apply(headers, "Access-Control-Allow-Credentials", "true", override);
  }
  const bool preflight = request.method == http::Method::kOptions &&
                         request.headers.contains("Access-Control-Request-Method");
  if (!preflight) {
    if (!cors.expose_headers.empty()) {
      apply(headers, "Access-Control-Expose-Headers", join(cors.expose_headers), override);
    }
    return;
  }
  if (!cors.allow_methods.empty()) {
    apply(headers, "Access-Control-Allow-Methods", join(cors.allow_methods), override);
  }
  if (!cors.allow_headers.empty()) {
    apply(headers, "Access-Control-Allow-Headers", join(cors.allow_headers), override);
  }
  if (cors.max_age_seconds) {
    apply(headers, "Access-Control-Max-Age", fmt::format("{}", *cors.max_age_seconds), override);
  }
}

void apply_server_timing(const http::RequestHead& request, http::ResponseHead& head,
                         const ServerTimingFacts& timing) {
  if (!timing.sampled && !request.headers.has_token("Pragma", "server-timing")) return;
  std::string_view x_cache = head.headers.get("X-Cache").value_or("");
  std::string_view result = "cdn-cache-miss";
  bool from_cache = false;
  if (x_cache.starts_with("Hit")) {
    result = "cdn-cache-hit";
    from_cache = true;
  } else if (x_cache.starts_with("RefreshHit")) {
    result = "cdn-cache-refresh";
  }
  std::string value = fmt::format("{},cdn-pop;desc=\"edgefront\",cdn-downstream-fbl;dur={}", result,
                                  timing.first_byte.count() / 1000);
  // On a miss the origin's own metrics travel along, merged into one field; a hit carries
  // only the edge's.
  std::optional<std::string> origin = head.headers.get_combined("Server-Timing");
  if (origin && !from_cache) value = *origin + "," + value;
  head.headers.set("Server-Timing", value);
}

}  // namespace

bool cors_origin_allowed(const config::ResponseHeadersPolicy::Cors& cors, std::string_view origin) {
  for (const std::string& allowed : cors.allow_origins) {
    if (allowed == "*" || iequals(allowed, origin)) return true;
    std::string_view pattern = allowed;
    size_t star = pattern.find("*.");
    if (star == std::string_view::npos) continue;
    std::string_view scheme = pattern.substr(0, star);  // "" or "https://"
    if (!scheme.empty() &&
        !(origin.size() > scheme.size() && iequals(origin.substr(0, scheme.size()), scheme))) {
      continue;
    }
    std::string_view suffix = pattern.substr(star + 1);  // ".example.org"
    std::string_view host = origin_host(origin);
    if (host.size() > suffix.size() && ends_with_ci(host, suffix)) return true;
  }
  return false;
}

void apply_response_headers_policy(const config::ResponseHeadersPolicy& policy,
                                   const http::RequestHead& request, http::ResponseHead& head,
                                   const ServerTimingFacts& timing) {
  http::HeaderList& headers = head.headers;
  for (const std::string& name : policy.remove) headers.remove(name);
  for (const Header& h : policy.security) apply(headers, h.name, h.value, h.override);
  for (const Header& h : policy.custom) apply(headers, h.name, h.value, h.override);
  if (policy.cors) apply_cors(*policy.cors, request, headers);
  if (policy.server_timing) apply_server_timing(request, head, timing);
}

}  // namespace edgefront::proxy
