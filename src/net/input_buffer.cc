#include "net/input_buffer.h"

#include <cstring>

namespace edgefront::net {

BlockPool& BlockPool::local() {
  thread_local BlockPool pool;
  return pool;
}

std::unique_ptr<char[]> BlockPool::take() {
  ++in_use_;
  if (free_.empty()) return std::unique_ptr<char[]>(new char[kBlockBytes]);
  std::unique_ptr<char[]> block = std::move(free_.back());
  free_.pop_back();
  return block;
}

void BlockPool::give(std::unique_ptr<char[]> block) {
  if (block == nullptr) return;
  --in_use_;
  if (free_.size() < kKeptFree) free_.push_back(std::move(block));
}

void InputBuffer::consume(size_t n) {
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

void InputBuffer::release_if_empty() {
  if (empty()) release();
}

void InputBuffer::release() {
  if (block_ == nullptr) return;
  BlockPool::local().give(std::move(block_));
  begin_ = end_ = 0;
}

asio::mutable_buffer InputBuffer::space() {
  if (block_ == nullptr) block_ = BlockPool::local().take();
  if (end_ == BlockPool::kBlockBytes && begin_ > 0) {
    std::memmove(block_.get(), block_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  return asio::buffer(block_.get() + end_, BlockPool::kBlockBytes - end_);
}

}  // namespace edgefront::net
