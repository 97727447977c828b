// The Location of a redirect-to-https answer: the viewer's host with the HTTPS listener's port
// in place of the plain-HTTP one it came in on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgefront::http {

// `host` is the viewer's Host value (may carry a port, may be an IPv6 literal in brackets),
// `https_port` the port HTTPS is served on (0 or 443: none written, the https default),
// `target` the request target. Empty when the host is unusable (empty, or not an authority).
std::optional<std::string> https_redirect_location(std::string_view host, uint16_t https_port,
                                                   std::string_view target);

}  // namespace edgefront::http
