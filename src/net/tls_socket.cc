#include "net/tls_socket.h"

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include "net/gather.h"
#include "net/leased_read.h"

namespace edgefront::net {

namespace {
// What an idle connection keeps of its buffers; more is given back while it waits.
constexpr size_t kKeptIdleBytes = 4 * 1024;
}  // namespace

TlsSocket::TlsSocket(tcp::socket socket, SSL* ssl) : socket_(std::move(socket)), ssl_(ssl) {
  // OpenSSL's socket BIO writes with write(), which raises SIGPIPE on a connection the peer
  // has reset; a server never wants that signal (Asio's own sends use MSG_NOSIGNAL).
  static const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
  (void)sigpipe_ignored;
  std::error_code ignored;
  socket_.non_blocking(true, ignored);  // OpenSSL's socket BIO must never block the loop
  in_ = BIO_new(BIO_s_mem());
  BIO* out = BIO_new_socket(static_cast<int>(socket_.native_handle()), BIO_NOCLOSE);
  SSL_set_bio(ssl_, in_, out);
  // RELEASE_BUFFERS: OpenSSL frees its record buffers (~17 KiB each way) when they are empty,
  // so an idle connection does not keep them.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                         SSL_MODE_RELEASE_BUFFERS);
  SSL_set_accept_state(ssl_);
}

TlsSocket::~TlsSocket() { SSL_free(ssl_); }

std::error_code TlsSocket::error_of(int ssl_error) {
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
  if (ssl_error == SSL_ERROR_SYSCALL) {
    int saved = errno;
    ERR_clear_error();
    return saved != 0 ? std::error_code(saved, asio::error::get_system_category())
                      : std::error_code(asio::ssl::error::stream_truncated);
  }
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return asio::ssl::error::unspecified_system_error;
  return std::error_code(static_cast<int>(code), asio::error::get_ssl_category());
}

awaitable<bool> TlsSocket::fill(std::error_code& ec) {
  // The ciphertext block is taken when bytes arrive and given back once they are in the BIO.
  co_await socket_.async_read_some(LeasedBuffer{&cipher_}, use_ec(ec));
  if (ec == asio::error::eof) ec = asio::ssl::error::stream_truncated;
  if (ec) co_return false;
  std::span<const char> got = cipher_.pending();
  BIO_write(in_, got.data(), static_cast<int>(got.size()));
  bio_peak_ = std::max(bio_peak_, BIO_ctrl_pending(in_));
  cipher_.consume(got.size());
  cipher_.release_if_empty();
  co_return true;
}

void TlsSocket::release_idle_memory() {
  // A memory BIO keeps the largest size it ever held: replace it once it is empty.
  if (bio_peak_ > kKeptIdleBytes && BIO_ctrl_pending(in_) == 0) {
    in_ = BIO_new(BIO_s_mem());
    SSL_set0_rbio(ssl_, in_);  // frees the old one
    bio_peak_ = 0;
  }
  if (gather_.capacity() > kKeptIdleBytes) std::string().swap(gather_);
}

awaitable<void> TlsSocket::handshake(std::error_code& ec) {
  while (true) {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) co_return;
    int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ) {
      if (!co_await fill(ec)) co_return;
    } else if (err == SSL_ERROR_WANT_WRITE) {
      co_await socket_.async_wait(tcp::socket::wait_write, use_ec(ec));
      if (ec) co_return;
    } else {
      ec = error_of(err);
      co_return;
    }
  }
}

awaitable<size_t> TlsSocket::read_into(InputBuffer& input, std::error_code& ec) {
  while (true) {
    ERR_clear_error();
    asio::mutable_buffer space = input.space();
    size_t got = 0;
    if (SSL_read_ex(ssl_, space.data(), space.size(), &got) == 1) {
      input.commit(got);
      co_return got;
    }
    int err = SSL_get_error(ssl_, 0);
    input.release_if_empty();  // waiting, if at all, without a block
    if (err == SSL_ERROR_WANT_READ) {
      release_idle_memory();
      if (!co_await fill(ec)) co_return 0;
    } else if (err == SSL_ERROR_WANT_WRITE) {
      co_await socket_.async_wait(tcp::socket::wait_write, use_ec(ec));
      if (ec) co_return 0;
    } else {
      ec = error_of(err);
      co_return 0;
    }
  }
}

awaitable<size_t> TlsSocket::read_some(asio::mutable_buffer buffer, std::error_code& ec) {
  while (true) {
    ERR_clear_error();
    size_t got = 0;
    if (SSL_read_ex(ssl_, buffer.data(), buffer.size(), &got) == 1) co_return got;
    int err = SSL_get_error(ssl_, 0);
    if (err == SSL_ERROR_WANT_READ) {
      if (!co_await fill(ec)) co_return 0;
    } else if (err == SSL_ERROR_WANT_WRITE) {
      // A post-handshake message of ours (a ticket) waits for room in the socket.
      co_await socket_.async_wait(tcp::socket::wait_write, use_ec(ec));
      if (ec) co_return 0;
    } else {
      ec = error_of(err);
      co_return 0;
    }
  }
}

size_t TlsSocket::write_some_records(std::span<const char> data, bool& would_block,
                                     std::error_code& ec) {
  size_t done = 0;
  would_block = false;
  while (done < data.size()) {
    ERR_clear_error();
    size_t written = 0;
    if (SSL_write_ex(ssl_, data.data() + done, data.size() - done, &written) == 1) {
      done += written;
      continue;
    }
    int err = SSL_get_error(ssl_, 0);
    if (err == SSL_ERROR_WANT_WRITE) {
      would_block = true;
    } else {
      ec = error_of(err);
    }
    break;
  }
  return done;
}

size_t TlsSocket::write_now(std::span<const asio::const_buffer> buffers, std::error_code& ec) {
  size_t total = asio::buffer_size(buffers);
  if (total == 0) return 0;
  // Too large to gather: only the first buffer now; write() takes the rest.
  std::span<const asio::const_buffer> now =
      buffers.size() > 1 && total > kGatherLimit ? buffers.first(1) : buffers;
  bool would_block = false;
  return write_some_records(gathered(now, gather_), would_block, ec);
}

awaitable<void> TlsSocket::write(std::span<const asio::const_buffer> buffers, std::error_code& ec) {
  size_t total = asio::buffer_size(buffers);
  const bool gather = buffers.size() > 1 && total <= kGatherLimit;
  size_t index = 0;
  while (index < buffers.size()) {
    std::span<const asio::const_buffer> part = gather ? buffers : buffers.subspan(index, 1);
    std::span<const char> data = gathered(part, gather_);
    size_t offset = 0;
    while (offset < data.size()) {
      bool would_block = false;
      offset += write_some_records(data.subspan(offset), would_block, ec);
      if (ec) co_return;
      if (would_block) {
        co_await socket_.async_wait(tcp::socket::wait_write, use_ec(ec));
        if (ec) co_return;
      }
    }
    index += part.size();
  }
}

awaitable<void> TlsSocket::shutdown(std::error_code& ec) {
  SSL_set_shutdown(ssl_, SSL_RECEIVED_SHUTDOWN);
  while (true) {
    ERR_clear_error();
    int r = SSL_shutdown(ssl_);
    if (r >= 0) co_return;
    int err = SSL_get_error(ssl_, r);
    if (err != SSL_ERROR_WANT_WRITE) {
      ec = error_of(err);
      co_return;
    }
    co_await socket_.async_wait(tcp::socket::wait_write, use_ec(ec));
    if (ec) co_return;
  }
}

}  // namespace edgefront::net
