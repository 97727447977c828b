#include "cache/fill.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>

#include "cache/wakeup.h"

namespace edgefront::cache {

namespace {
constexpr size_t kMaxFirstBlock = 1 << 20;
constexpr size_t kBlock = 256 * 1024;
}  // namespace

Fill::Fill(uint64_t expected_length) : first_block_hint_(expected_length) {}

Fill::Waiting& Fill::waiting_locked() {
  if (!waiting_) waiting_ = std::make_unique<Waiting>();
  return *waiting_;
}

void Fill::append(std::span<const char> data) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mu_);
    while (!data.empty()) {
      if (blocks_.empty() || blocks_.back().used == blocks_.back().capacity) {
        size_t cap = kBlock;
        if (blocks_.empty() && dropped_bytes_ == 0 && first_block_hint_ > 0) {
          // One contiguous block for small objects: a hit is then a single write.
          cap = static_cast<size_t>(std::min<uint64_t>(first_block_hint_, kMaxFirstBlock));
        }
        cap = std::max(cap, std::min(data.size(), kBlock));
        blocks_.push_back(Block{std::make_unique<char[]>(cap), cap, 0});
      }
      Block& b = blocks_.back();
      size_t n = std::min(data.size(), b.capacity - b.used);
      std::memcpy(b.data.get() + b.used, data.data(), n);
      b.used += n;
      size_ += n;
      data = data.subspan(n);
    }
    notify_locked(wake);
  }
  run(wake);
}

void Fill::complete() { end(State::kComplete); }

void Fill::fail() { end(State::kFailed); }

// The first ending wins: a failed body never becomes complete, nor the other way round.
void Fill::end(State final_state) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kFilling) {
      state_ = final_state;
      if (final_state == State::kComplete && keep_) settled_.store(true, std::memory_order_release);
    }
    notify_locked(wake);
    if (waiting_) {
      // Nothing waits on an ended fill any more: wake the writer too, then drop the state.
      for (auto& w : waiting_->writer_wakers) wake.push_back(std::move(w));
      waiting_.reset();
    }
  }
  run(wake);
}

Fill::Chunk Fill::read(uint64_t offset) const {
  std::lock_guard lock(mu_);
  Chunk out;
  out.state = state_;
  if (offset >= size_ || offset < dropped_bytes_) return out;
  uint64_t pos = dropped_bytes_;
  for (const Block& b : blocks_) {
    if (offset < pos + b.used) {
      size_t skip = static_cast<size_t>(offset - pos);
      out.data = {b.data.get() + skip, b.used - skip};
      return out;
    }
    pos += b.used;
  }
  return out;
}

uint64_t Fill::allocated_bytes() const {
  std::lock_guard lock(mu_);
  uint64_t bytes = blocks_.capacity() * sizeof(Block);
  for (const Block& b : blocks_) bytes += malloc_usable_size(b.data.get());
  return bytes;
}

uint64_t Fill::size() const {
  std::lock_guard lock(mu_);
  return size_;
}

Fill::State Fill::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

net::awaitable<void> Fill::wait_beyond(uint64_t offset) {
  Wakeup wakeup(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  {
    std::lock_guard lock(mu_);
    if (size_ > offset || state_ != State::kFilling) co_return;
    waiting_locked().wakers.push_back(wakeup.trigger());
  }
  co_await wakeup.wait();
}

size_t Fill::reader_joined() {
  std::lock_guard lock(mu_);
  std::vector<uint64_t>& positions = waiting_locked().positions;
  for (size_t i = 0; i < positions.size(); ++i) {
    if (positions[i] == kGone) {
      positions[i] = dropped_bytes_;
      return i;
    }
  }
  positions.push_back(dropped_bytes_);
  return positions.size() - 1;
}

void Fill::reader_left(size_t slot) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mu_);
    if (!waiting_) return;  // the fill ended: nobody tracks readers any more
    if (slot < waiting_->positions.size()) waiting_->positions[slot] = kGone;
    wake.swap(waiting_->writer_wakers);
  }
  run(wake);
}

void Fill::reader_progress(size_t slot, uint64_t offset) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mu_);
    if (!waiting_) return;
    std::vector<uint64_t>& positions = waiting_->positions;
    if (slot < positions.size() && positions[slot] != kGone) positions[slot] = offset;
    if (!waiting_->writer_wakers.empty()) wake.swap(waiting_->writer_wakers);
  }
  run(wake);
}

void Fill::stop_keeping() {
  std::lock_guard lock(mu_);
  keep_ = false;
  drop_read_blocks_locked();
}

std::optional<uint64_t> Fill::slowest_reader_locked() const {
  std::optional<uint64_t> slowest;
  if (!waiting_) return slowest;
  for (uint64_t p : waiting_->positions) {
    if (p != kGone) slowest = std::min(slowest.value_or(size_), p);
  }
  return slowest;
}

void Fill::drop_read_blocks_locked() {
  if (keep_) return;
  const uint64_t slowest = slowest_reader_locked().value_or(size_);
  while (!blocks_.empty() && blocks_.front().used == blocks_.front().capacity &&
         dropped_bytes_ + blocks_.front().used <= slowest) {
    dropped_bytes_ += blocks_.front().used;
    blocks_.erase(blocks_.begin());
  }
}

net::awaitable<bool> Fill::wait_for_readers(uint64_t window) {
  auto executor = co_await asio::this_coro::executor;
  while (true) {
    Wakeup wakeup(executor, asio::steady_timer::time_point::max());
    {
      std::lock_guard lock(mu_);
      drop_read_blocks_locked();
      std::optional<uint64_t> slowest = slowest_reader_locked();
      if (!slowest) co_return false;
      if (size_ - *slowest < window) co_return true;
      waiting_->writer_wakers.push_back(wakeup.trigger());
    }
    co_await wakeup.wait();
  }
}

void Fill::notify_locked(std::vector<std::function<void()>>& out) {
  if (waiting_) out.swap(waiting_->wakers);
}

void Fill::run(std::vector<std::function<void()>>& wakers) {
  for (auto& w : wakers) w();
}

}  // namespace edgefront::cache
