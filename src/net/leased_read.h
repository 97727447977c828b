// A socket read whose buffer is taken only when bytes arrive.
//
// An Asio read holds its buffer for as long as it waits; a keep-alive connection waits most
// of its life. A LeasedBuffer read names an InputBuffer instead: the reactor takes a block
// from the worker's pool right before the recv() that has bytes to return (the reactor runs
// on the connection's worker, the pool's thread) and gives it back if the recv() finds none.
// Reads are draining reads (draining_read.h): one recvmsg per keep-alive request.
#pragma once

#include "net/draining_read.h"
#include "net/input_buffer.h"

namespace edgefront::net {

struct LeasedBuffer {
  InputBuffer* input;
  // What Asio sees of the sequence: a non-empty buffer (an empty one completes at once
  // without reading). Its data pointer is never used; the block is chosen in the read.
  asio::mutable_buffer placeholder{nullptr, BlockPool::kBlockBytes};
  const asio::mutable_buffer* begin() const { return &placeholder; }
  const asio::mutable_buffer* end() const { return &placeholder + 1; }
};

}  // namespace edgefront::net

namespace asio::detail {

template <>
inline reactor_op::status reactive_socket_recv_op_base<edgefront::net::LeasedBuffer>::do_perform(
    reactor_op* base) {
  auto* op = static_cast<reactive_socket_recv_op_base*>(base);
  edgefront::net::InputBuffer& input = *op->buffers_.input;
  while (true) {
    int left = -1;
    asio::mutable_buffer space = input.space();
    ssize_t n =
        edgefront::net::recv_with_hint(op->socket_, space, static_cast<int>(op->flags_), left);
    if (n > 0) {
      input.commit(static_cast<size_t>(n));
      op->ec_ = asio::error_code();
      op->bytes_transferred_ = static_cast<size_t>(n);
      return left == 0 ? done_and_exhausted : done;
    }
    input.release_if_empty();  // nothing arrived: wait without a block
    if (n == 0) {
      op->bytes_transferred_ = 0;
      // A full block pending (no space) is the caller's to consume first, not an EOF.
      if (space.size() == 0) return done;
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
