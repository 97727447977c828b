// A server-side TLS connection driven straight on its socket. OpenSSL writes records to the
// socket itself (one copy less than a BIO pair, and an answer that fits the socket buffer is
// written at once, with no asynchronous operation); it reads ciphertext into a memory BIO with
// draining reads (draining_read.h), so a keep-alive read costs one recv, not a failed one
// first. One reader and one writer may be in progress at a time (HTTP/2 has both).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <span>
#include <string>

#include "net/asio.h"
#include "net/input_buffer.h"

namespace edgefront::net {

class TlsSocket {
 public:
  // Takes ownership of `ssl` (a server-side SSL object not yet bound to any I/O).
  TlsSocket(tcp::socket socket, SSL* ssl);
  ~TlsSocket();
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  SSL* native_handle() { return ssl_; }
  tcp::socket& next_layer() { return socket_; }

  awaitable<void> handshake(std::error_code& ec);
  // Some plaintext (at least one byte), or an error: asio::error::eof after the peer's
  // close_notify, asio::ssl::error::stream_truncated when the connection ends without one.
  awaitable<size_t> read_some(asio::mutable_buffer buffer, std::error_code& ec);
  // The same into an InputBuffer, which holds a block only while it holds bytes.
  awaitable<size_t> read_into(InputBuffer& input, std::error_code& ec);
  // All of `buffers`; small ones are gathered into one record.
  awaitable<void> write(std::span<const asio::const_buffer> buffers, std::error_code& ec);
  // As much of `buffers` as goes out without waiting; the rest must follow with write(),
  // starting at the first byte not counted (OpenSSL may hold part of it in a record).
  size_t write_now(std::span<const asio::const_buffer> buffers, std::error_code& ec);
  // Sends our close_notify; the peer's is not waited for.
  awaitable<void> shutdown(std::error_code& ec);

 private:
  // Reads ciphertext from the socket into the memory BIO; false (with `ec`) on error or EOF.
  awaitable<bool> fill(std::error_code& ec);
  // Writes `data` with SSL_write until done or the socket is full; returns bytes written.
  size_t write_some_records(std::span<const char> data, bool& would_block, std::error_code& ec);
  std::error_code error_of(int ssl_error);
  // Before a wait for the peer: drops buffers grown by earlier traffic (idle connections
  // keep little).
  void release_idle_memory();

  tcp::socket socket_;
  SSL* ssl_;
  BIO* in_ = nullptr;    // owned by ssl_
  InputBuffer cipher_;   // ciphertext on its way into `in_`, held only while it is
  size_t bio_peak_ = 0;  // the most `in_` held since it was made
  std::string gather_;
};

}  // namespace edgefront::net
