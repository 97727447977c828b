// A connection's input buffer that holds memory only while it holds bytes.
//
// An idle keep-alive connection waits for its next request with no block: the block is taken
// from the worker's pool when bytes arrive (inside the socket read, see leased_read.h) and
// given back as soon as every byte read has been consumed. 10,000 idle connections then cost
// no input memory at all, and a busy worker cycles the same few hot blocks.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "net/asio.h"

namespace edgefront::net {

// Fixed-size blocks, one pool per thread (a connection lives on one worker: nothing shared).
// Blocks beyond `kKeptFree` go back to the allocator, so a burst of busy connections does not
// leave its blocks parked here.
class BlockPool {
 public:
  static constexpr size_t kBlockBytes = 32 * 1024;
  static constexpr size_t kKeptFree = 16;

  static BlockPool& local();

  std::unique_ptr<char[]> take();
  void give(std::unique_ptr<char[]> block);
  size_t free_blocks() const { return free_.size(); }
  // Blocks taken and not given back on this thread (what its idle connections should not hold).
  std::ptrdiff_t blocks_in_use() const { return in_use_; }

 private:
  std::vector<std::unique_ptr<char[]>> free_;
  std::ptrdiff_t in_use_ = 0;
};

class InputBuffer {
 public:
  InputBuffer() = default;
  ~InputBuffer() { release(); }
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;

  // Bytes read and not consumed yet.
  std::span<const char> pending() const { return {block_.get() + begin_, end_ - begin_}; }
  bool empty() const { return begin_ == end_; }
  void consume(size_t n);
  // True while a block is held (bytes pending, or a read just landed).
  bool holds_block() const { return block_ != nullptr; }
  // Gives the block back to the pool if no byte is pending.
  void release_if_empty();

  // Reader side: room after the pending bytes (takes a block, moves pending bytes to its
  // start when the end is reached); empty only when a full block is pending.
  asio::mutable_buffer space();
  void commit(size_t n) { end_ += n; }

 private:
  void release();

  std::unique_ptr<char[]> block_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace edgefront::net
