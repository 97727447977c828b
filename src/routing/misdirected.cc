#include "routing/misdirected.h"

namespace edgefront::routing {

std::optional<HostRefusal> host_refusal(const Route& route, std::string_view host_header,
                                        std::string_view tls_server_name) {
  if (!route.unknown_host) return std::nullopt;
  if (!tls_server_name.empty() && normalize_host(tls_server_name) != normalize_host(host_header)) {
    return HostRefusal{421,
                       "Misdirected request: the Host is not the name this TLS connection was "
                       "opened for, and no distribution here serves it."};
  }
  return HostRefusal{403,
                     "Bad request: no distribution here has this Host as an alternate domain "
                     "name."};
}

}  // namespace edgefront::routing
