#include "net/stream.h"

#include <sys/socket.h>

#include "net/draining_read.h"
#include "net/gather.h"
#include "net/leased_read.h"

namespace edgefront::net {

awaitable<size_t> Stream::read_some(asio::mutable_buffer buffer, std::error_code& ec) {
  if (auto* plain = std::get_if<0>(&s_)) {
    co_return co_await plain->async_read_some(DrainingBuffer{buffer}, use_ec(ec));
  }
  if (auto* direct = std::get_if<2>(&s_)) co_return co_await (*direct)->read_some(buffer, ec);
  co_return co_await std::get<1>(s_)->async_read_some(buffer, use_ec(ec));
}

awaitable<size_t> Stream::read_into(InputBuffer& input, std::error_code& ec) {
  if (auto* plain = std::get_if<0>(&s_)) {
    co_return co_await plain->async_read_some(LeasedBuffer{&input}, use_ec(ec));
  }
  if (auto* direct = std::get_if<2>(&s_)) co_return co_await (*direct)->read_into(input, ec);
  // Origin TLS (not a viewer): a plain read into the buffer's room.
  size_t n = co_await std::get<1>(s_)->async_read_some(input.space(), use_ec(ec));
  input.commit(n);
  input.release_if_empty();
  co_return n;
}

awaitable<void> Stream::write(std::span<const asio::const_buffer> buffers, std::error_code& ec) {
  if (auto* plain = std::get_if<0>(&s_)) {
    co_await asio::async_write(*plain, buffers, use_ec(ec));
    co_return;
  }
  if (auto* direct = std::get_if<2>(&s_)) {
    co_await (*direct)->write(buffers, ec);
    co_return;
  }
  // Asio's SSL stream writes one buffer per SSL_write: gathered, a head and a small body are
  // one record and one socket write.
  if (buffers.size() > 1 && asio::buffer_size(buffers) <= kGatherLimit) {
    std::span<const char> one = gathered(buffers, gather_);
    co_await asio::async_write(*std::get<1>(s_), asio::buffer(one.data(), one.size()), use_ec(ec));
    co_return;
  }
  co_await asio::async_write(*std::get<1>(s_), buffers, use_ec(ec));
}

size_t Stream::write_now(std::span<const asio::const_buffer> buffers, std::error_code& ec) {
  if (auto* direct = std::get_if<2>(&s_)) return (*direct)->write_now(buffers, ec);
  auto* plain = std::get_if<0>(&s_);
  if (plain == nullptr) return 0;
  if (!plain->non_blocking()) plain->non_blocking(true, ec);
  if (ec) return 0;
  size_t n = plain->write_some(buffers, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) ec.clear();
  return n;
}

tcp::socket& Stream::socket() {
  if (auto* plain = std::get_if<0>(&s_)) return *plain;
  if (auto* direct = std::get_if<2>(&s_)) return (*direct)->next_layer();
  return std::get<1>(s_)->next_layer();
}

bool Stream::is_open() { return socket().is_open(); }

awaitable<void> Stream::end_tls(std::error_code& ec) {
  if (auto* direct = std::get_if<2>(&s_)) co_await (*direct)->shutdown(ec);
}

void Stream::close() {
  // close() alone: it cancels pending operations, and a shutdown() first costs a syscall that
  // fails (ENOTCONN) whenever the peer has already gone.
  std::error_code ignored;
  socket().close(ignored);
}

bool Stream::idle_peer_closed() {
  if (is_tls()) return false;
  tcp::socket& s = socket();
  if (!s.is_open()) return true;
  char byte;
  ssize_t n = ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return !(errno == EAGAIN || errno == EWOULDBLOCK);
  return true;  // EOF (0) or unsolicited bytes: either way not reusable
}

}  // namespace edgefront::net
