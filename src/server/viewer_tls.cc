#include "server/viewer_tls.h"

#include <spdlog/spdlog.h>

#include "tls/handshake.h"

namespace edgefront::server {

net::awaitable<void> serve_tls_viewer(net::tcp::socket socket,
                                      std::shared_ptr<const tls::ServerContext> context,
                                      http::Handler& handler, config::Limits limits,
                                      http::ConnectionTracker& tracker,
                                      http::ViewerConnection viewer) {
  Result<tls::Accepted> accepted =
      co_await tls::accept_handshake(std::move(socket), std::move(context), limits.header_timeout);
  if (!accepted.ok()) {
    spdlog::debug("viewer {}:{}: {}", viewer.peer_ip, viewer.peer_port, accepted.error().message);
    co_return;
  }
  viewer.tls = true;
  auto conn = std::make_shared<http::H1ServerConnection>(
      net::Stream(std::move(accepted.value().stream)), handler, limits, tracker, viewer);
  co_await http::H1ServerConnection::run(std::move(conn));
}

}  // namespace edgefront::server
