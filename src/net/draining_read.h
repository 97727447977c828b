// A socket read that tells Asio's reactor when it has emptied the socket.
//
// Asio 1.22 (Debian 12) starts every read with a speculative recv() unless the previous read
// on the socket reported the socket "exhausted", and it reports that only at EOF. On a
// keep-alive connection the read after each answer therefore costs a recv() that fails with
// EAGAIN before the wait: 2 recvfrom per 1 KiB hit against nginx's 1.
//
// With TCP_INQ on the socket, Linux says after each read how many bytes are left, and
// counts a FIN still to be read as one: a read that leaves 0 has emptied the socket, and
// anything arriving later raises a new edge-triggered epoll event, which re-enables the
// speculative read. (A short read alone is not proof: data and FIN arriving together leave
// the FIN behind with no event to come, and a close-delimited body would stall.)
//
// Reads with a DrainingBuffer get that behaviour; everything else is Asio's own code. On a
// socket without TCP_INQ they behave exactly like Asio's.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "net/asio.h"

namespace edgefront::net {

// One mutable buffer, as a buffer sequence of its own type so the reactor operation below
// applies only to reads that ask for it.
struct DrainingBuffer {
  asio::mutable_buffer buffer;
  const asio::mutable_buffer* begin() const { return &buffer; }
  const asio::mutable_buffer* end() const { return &buffer + 1; }
};

// Asks the kernel to report the bytes left after each read (see above). Best effort: without
// it, reads fall back to Asio's speculative ones.
inline void enable_drain_hint(tcp::socket& socket) {
  int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INQ, &one, sizeof one);
}

// Reads into `buffer`; -1 with errno on failure. `left` is the TCP_INQ hint: bytes (or a FIN)
// still queued, or -1 when the socket gave none.
inline ssize_t recv_with_hint(int fd, asio::mutable_buffer buffer, int flags, int& left) {
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd, &msg, flags);
  left = -1;
  if (n < 0) return n;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ) {
      std::memcpy(&left, CMSG_DATA(c), sizeof left);
    }
  }
  return n;
}

}  // namespace edgefront::net

namespace asio::detail {

template <>
inline reactor_op::status reactive_socket_recv_op_base<edgefront::net::DrainingBuffer>::do_perform(
    reactor_op* base) {
  auto* op = static_cast<reactive_socket_recv_op_base*>(base);
  const bool is_stream = (op->state_ & socket_ops::stream_oriented) != 0;
  while (true) {
    int left = -1;
    ssize_t n = edgefront::net::recv_with_hint(op->socket_, op->buffers_.buffer,
                                               static_cast<int>(op->flags_), left);
    if (n > 0 || (n == 0 && op->buffers_.buffer.size() == 0)) {
      op->ec_ = asio::error_code();
      op->bytes_transferred_ = static_cast<size_t>(n);
      return left == 0 ? done_and_exhausted : done;
    }
    if (n == 0) {
      op->bytes_transferred_ = 0;
      if (!is_stream) return done;
      op->ec_ = asio::error::eof;
      return done_and_exhausted;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;
    op->ec_ = asio::error_code(errno, asio::error::get_system_category());
    op->bytes_transferred_ = 0;
    return done;
  }
}

}  // namespace asio::detail
