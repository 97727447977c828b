// The answer to a request whose Host names no distribution served here (Route::unknown_host).
// CloudFront answers a Host that is no distribution's alternate domain name with its 403 "The
// request could not be satisfied. Bad request." page, and a TLS request whose Host differs
// from the connection's SNI (domain fronting) with 421 Misdirected Request, so that a client
// that reused a connection opens one for the right name (RFC 9110 15.5.20).
#pragma once

#include <optional>
#include <string_view>

#include "routing/router.h"

namespace edgefront::routing {

struct HostRefusal {
  int status = 0;
  std::string_view reason;
};

// nullopt when the route found a distribution. `tls_server_name`: the SNI of the viewer's TLS
// connection, empty for plain HTTP or a client that sent none.
std::optional<HostRefusal> host_refusal(const Route& route, std::string_view host_header,
                                        std::string_view tls_server_name);

}  // namespace edgefront::routing
