#include "server/viewer_connection.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "http/h2_preface.h"
#include "http/h2_server.h"
#include "tls/handshake.h"

namespace edgefront::server {

namespace {

net::awaitable<void> serve_stream(net::Stream stream, bool h2, http::Handler& handler,
                                  const config::Limits& limits, http::ConnectionTracker& tracker,
                                  http::ViewerConnection viewer) {
  viewer.http2 = h2;
  if (h2) {
    auto conn = std::make_shared<http::H2ServerConnection>(std::move(stream), handler, limits,
                                                           tracker, viewer);
    co_await http::H2ServerConnection::run(std::move(conn));
  } else {
    auto conn = std::make_shared<http::H1ServerConnection>(std::move(stream), handler, limits,
                                                           tracker, viewer);
    co_await http::H1ServerConnection::run(std::move(conn));
  }
}

}  // namespace

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
  viewer.server_name = std::move(accepted.value().server_name);
  bool h2 = accepted.value().h2;
  // OpenSSL's names are static strings: the record can point at them.
  SSL* ssl = accepted.value().stream->native_handle();
  viewer.tls_protocol = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
    viewer.tls_cipher = SSL_CIPHER_get_name(cipher);
  }
  co_await serve_stream(net::Stream(std::move(accepted.value().stream)), h2, handler, limits,
                        tracker, viewer);
}

net::awaitable<void> serve_plain_viewer(net::tcp::socket socket, http::Handler& handler,
                                        config::Limits limits, http::ConnectionTracker& tracker,
                                        http::ViewerConnection viewer) {
  http::FirstBytes first = co_await http::sniff_first_bytes(socket, limits.idle_timeout);
  if (first == http::FirstBytes::kNothing) {
    std::error_code ignored;
    socket.close(ignored);
    co_return;
  }
  if (first == http::FirstBytes::kHttp2) {
    co_await serve_stream(net::Stream(std::move(socket)), true, handler, limits, tracker, viewer);
    co_return;
  }
  // HTTP/1.1 runs from this frame, without serve_stream's: one frame less for every
  // connection for as long as it lives (most of them idle keep-alive).
  auto conn = std::make_shared<http::H1ServerConnection>(net::Stream(std::move(socket)), handler,
                                                         limits, tracker, viewer);
  co_await http::H1ServerConnection::run(std::move(conn));
}

}  // namespace edgefront::server
