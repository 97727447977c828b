// The request head sent to an HTTP origin, and the response head sent back to the viewer:
// CloudFront's header rules (spec §4.1, §4.2) applied to the viewer's request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "http/message.h"

namespace edgefront::upstream {

struct ViewerInfo {
  std::string peer_ip;
  uint16_t peer_port = 0;
  bool tls = false;
};

// The value CloudFront sends as User-Agent unless User-Agent is forwarded.
inline constexpr std::string_view kCloudFrontUserAgent = "Amazon CloudFront";

// Builds the request head sent to an HTTP origin from the viewer's request. `origin_path` is
// Route::origin_path; the origin's OriginPath is prepended here. Framing (Content-Length /
// Transfer-Encoding) is removed from the headers; content_length / chunked are copied so the
// client can frame the body itself.
http::RequestHead build_origin_request(const http::RequestHead& viewer,
                                       std::string_view origin_path, const config::Origin& origin,
                                       const config::Forwarding& forwarding,
                                       const ViewerInfo& viewer_info, std::string_view via_name);

// Headers sent to the viewer from an origin response: hop-by-hop and Connection-listed
// headers removed, "<major>.<minor> <via_name>" appended to Via.
void rewrite_response_headers(http::HeaderList& headers, http::Version origin_version,
                              std::string_view via_name);

// Removes hop-by-hop headers and every header named in a Connection header's tokens.
void remove_hop_by_hop(http::HeaderList& headers);

// The Cookie header value keeping only pairs whose names match one of `names` (exact,
// case-sensitive; '*' and '?' wildcards), or with keep_listed false only those that match
// none; empty when none is left.
std::string filter_cookies(std::string_view cookie_header, const std::vector<std::string>& names,
                           bool keep_listed = true);

// The query string with only the parameters `forwarding` sends (query_string_names as an
// allow list, or a block list with query_string_except); order kept, `&` the only separator.
std::string filter_query(std::string_view query, const config::Forwarding& forwarding);

}  // namespace edgefront::upstream
