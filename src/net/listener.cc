#include "net/listener.h"

#include <fmt/format.h>
#include <sys/socket.h>

namespace edgefront::net {

namespace {

// Binds without SO_REUSEPORT and closes at once: EADDRINUSE means someone already listens.
std::error_code probe_unshared(asio::io_context& ctx, const tcp::endpoint& ep) {
  std::error_code ec;
  tcp::acceptor probe(ctx);
  probe.open(ep.protocol(), ec);
  if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) probe.bind(ep, ec);
  std::error_code ignored;
  probe.close(ignored);
  return ec;
}

}  // namespace

Result<tcp::acceptor> open_listener(asio::io_context& ctx, const Endpoint& where, Sharing sharing) {
  std::error_code ec;
  asio::ip::address addr = asio::ip::make_address(where.host, ec);
  if (ec) {
    return make_error(ErrorKind::kInternal, Fault::kInternal,
                      fmt::format("bad listen address {}: {}", where.host, ec.message()));
  }
  tcp::endpoint ep(addr, where.port);
  // Port 0 gets a port of its own from the kernel: nothing to probe.
  if (sharing == Sharing::kFirstWorker && where.port != 0) {
    if (std::error_code busy = probe_unshared(ctx, ep)) {
      std::string why = busy == asio::error::address_in_use
                            ? "address already in use (another process, perhaps another "
                              "edgefront, listens there)"
                            : busy.message();
      return make_error(ErrorKind::kInternal, Fault::kInternal,
                        fmt::format("cannot listen on {}:{}: {}", where.host, where.port, why));
    }
  }
  bool reuse_port = sharing != Sharing::kExclusive;
  tcp::acceptor acceptor(ctx);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && reuse_port) {
    int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec = std::error_code(errno, std::system_category());
    }
  }
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(4096, ec);
  if (ec) {
    return make_error(
        ErrorKind::kInternal, Fault::kInternal,
        fmt::format("cannot listen on {}:{}: {}", where.host, where.port, ec.message()));
  }
  return acceptor;
}

std::string format_endpoint(const tcp::endpoint& ep) {
  if (ep.address().is_v6()) return fmt::format("[{}]:{}", ep.address().to_string(), ep.port());
  return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

}  // namespace edgefront::net
