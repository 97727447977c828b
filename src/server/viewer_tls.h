// A viewer connection on a TLS listener: the handshake (bounded by the header timeout), then
// the HTTP codec ALPN chose, with ViewerConnection::tls set.
#pragma once

#include <memory>

#include "config/config.h"
#include "http/h1_server.h"
#include "tls/server_context.h"

namespace edgefront::server {

net::awaitable<void> serve_tls_viewer(net::tcp::socket socket,
                                      std::shared_ptr<const tls::ServerContext> context,
                                      http::Handler& handler, config::Limits limits,
                                      http::ConnectionTracker& tracker,
                                      http::ViewerConnection viewer);

}  // namespace edgefront::server
