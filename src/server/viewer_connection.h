// A freshly accepted viewer connection handed to its codec: on a TLS listener after the
// handshake (bounded by the header timeout) by ALPN, on a plain listener by its first bytes
// (the HTTP/2 preface means h2c with prior knowledge).
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

net::awaitable<void> serve_plain_viewer(net::tcp::socket socket, http::Handler& handler,
                                        config::Limits limits, http::ConnectionTracker& tracker,
                                        http::ViewerConnection viewer);

}  // namespace edgefront::server
