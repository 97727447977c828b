// Listening sockets: one acceptor per worker on the same address via SO_REUSEPORT, so the
// kernel spreads connections and no lock is shared between workers.
#pragma once

#include <string>

#include "base/result.h"
#include "net/asio.h"

namespace edgefront::net {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// Opens, binds (SO_REUSEADDR + SO_REUSEPORT) and listens. Port 0 picks a free port; read it
// back from the acceptor and pass it to the other workers' acceptors.
Result<tcp::acceptor> open_listener(asio::io_context& ctx, const Endpoint& where, bool reuse_port);

std::string format_endpoint(const tcp::endpoint& ep);

}  // namespace edgefront::net
