// The server side of a TLS handshake on a freshly accepted socket, bounded by a timeout so a
// peer that stalls mid-handshake cannot pin a connection.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/result.h"
#include "net/asio.h"
#include "net/tls_socket.h"
#include "tls/server_context.h"

namespace edgefront::tls {

struct Accepted {
  std::unique_ptr<net::TlsSocket> stream;
  bool h2 = false;          // ALPN chose "h2"
  std::string server_name;  // SNI; empty when the client sent none
};

net::awaitable<Result<Accepted>> accept_handshake(net::tcp::socket socket,
                                                  std::shared_ptr<const ServerContext> context,
                                                  std::chrono::milliseconds timeout);

}  // namespace edgefront::tls
