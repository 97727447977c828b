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

enum class Sharing {
  kExclusive,    // no SO_REUSEPORT (the admin listener)
  kFirstWorker,  // SO_REUSEPORT, once nobody else listens on the address
  kNextWorker,   // SO_REUSEPORT, joining the first worker's socket
};

// Opens, binds (SO_REUSEADDR, + SO_REUSEPORT when shared) and listens. Port 0 picks a free
// port; read it back from the acceptor and pass it to the other workers' acceptors.
// kFirstWorker first binds a probe socket without SO_REUSEPORT: it fails while any socket
// listens there, so a second process (another edgefront run by the same user included) is
// refused instead of silently splitting the traffic through SO_REUSEPORT.
Result<tcp::acceptor> open_listener(asio::io_context& ctx, const Endpoint& where, Sharing sharing);

std::string format_endpoint(const tcp::endpoint& ep);

}  // namespace edgefront::net
