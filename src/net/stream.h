// A byte stream over TCP, optionally wrapped in TLS; the HTTP codecs do not care which.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <variant>

#include "net/asio.h"
#include "net/input_buffer.h"
#include "net/tls_socket.h"

namespace edgefront::net {

class Stream {
 public:
  explicit Stream(tcp::socket socket) : s_(std::move(socket)) {}
  // Origin side: Asio's TLS stream.
  explicit Stream(std::unique_ptr<asio::ssl::stream<tcp::socket>> tls) : s_(std::move(tls)) {}
  // Viewer side: TLS driven on the socket directly (see tls_socket.h).
  explicit Stream(std::unique_ptr<TlsSocket> tls) : s_(std::move(tls)) {}
  Stream(Stream&&) = default;
  Stream& operator=(Stream&&) = default;

  awaitable<size_t> read_some(asio::mutable_buffer buffer, std::error_code& ec);
  // Appends what arrives to `input` (at least one byte, or an error). On plain TCP and viewer
  // TLS the buffer takes its block only when bytes arrive: a connection waiting with nothing
  // pending holds none. Returns the bytes added.
  awaitable<size_t> read_into(InputBuffer& input, std::error_code& ec);
  awaitable<void> write(std::span<const asio::const_buffer> buffers, std::error_code& ec);
  awaitable<void> write(asio::const_buffer buffer, std::error_code& ec) {
    co_await write(std::span<const asio::const_buffer>(&buffer, 1), ec);
  }

  // Writes what the socket takes at once, without waiting (Asio's TLS stream takes nothing
  // this way). Returns the bytes written; "would block" is not an error. The rest must follow
  // with write(), from the first byte not counted.
  size_t write_now(std::span<const asio::const_buffer> buffers, std::error_code& ec);

  tcp::socket& socket();
  bool is_tls() const { return s_.index() != 0; }
  bool is_open();
  // Closes at once (no TLS close_notify): used on errors, timeouts and shutdown.
  void close();
  // Viewer TLS: sends close_notify without waiting for the peer's (bound it with a deadline
  // that cancels the socket, in case the socket does not take it), so clients see a clean end
  // and keep their session for resumption; OpenSSL clients drop a session whose connection
  // ended without one. Plain TCP (and origin TLS, which closes without one): nothing to do.
  awaitable<void> end_tls(std::error_code& ec);
  // True if the peer has closed or sent unexpected bytes on an idle connection (plain TCP
  // only; TLS streams return false because of post-handshake messages).
  bool idle_peer_closed();

 private:
  std::variant<tcp::socket, std::unique_ptr<asio::ssl::stream<tcp::socket>>,
               std::unique_ptr<TlsSocket>>
      s_;
  std::string gather_;  // origin TLS: small multi-buffer writes copied into one record
};

}  // namespace edgefront::net
