#include "tls/handshake.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/deadline.h"

namespace edgefront::tls {

namespace {
void close_socket(net::tcp::socket& socket) {
  std::error_code ignored;
  socket.close(ignored);
}
}  // namespace

net::awaitable<Result<Accepted>> accept_handshake(net::tcp::socket socket,
                                                  std::shared_ptr<const ServerContext> context,
                                                  std::chrono::milliseconds timeout) {
  SSL* ssl = context->new_ssl();
  if (ssl == nullptr) {
    close_socket(socket);
    co_return make_error(ErrorKind::kInternal, Fault::kInternal, "cannot allocate TLS state");
  }
  Accepted out;
  // The stream owns `ssl` from here on.
  out.stream = std::make_unique<net::TlsSocket>(std::move(socket), ssl);
  net::tcp::socket& raw = out.stream->next_layer();
  net::Deadline deadline(raw.get_executor(), [&raw] { close_socket(raw); });
  deadline.expires_after(timeout);
  std::error_code ec;
  co_await out.stream->handshake(ec);
  bool timed_out = deadline.expired();
  deadline.disarm();
  if (ec || timed_out) {
    ERR_clear_error();
    close_socket(raw);
    co_return make_error(timed_out ? ErrorKind::kViewerTimeout : ErrorKind::kBadRequest,
                         Fault::kViewer,
                         timed_out ? "TLS handshake timed out"
                                   : fmt::format("TLS handshake failed: {}", ec.message()));
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(out.stream->native_handle(), &alpn, &alpn_len);
  out.h2 = alpn_len == 2 && alpn[0] == 'h' && alpn[1] == '2';
  if (const char* name =
          SSL_get_servername(out.stream->native_handle(), TLSEXT_NAMETYPE_host_name)) {
    out.server_name = name;
  }
  co_return out;
}

}  // namespace edgefront::tls
