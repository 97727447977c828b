// The body of one cached (or being-cached) response, written once by the fetch that fills it
// and read concurrently by any number of viewers on any worker, each at its own pace, while
// the bytes are still arriving (request collapsing that streams, not waits for the end).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "net/asio.h"

namespace edgefront::cache {

class Fill {
 public:
  enum class State : uint8_t {
    kFilling,   // bytes may still arrive
    kComplete,  // every byte is here; immutable from now on
    kFailed,    // the origin broke off: never to be presented as complete
  };

  // `expected_length`: the origin's Content-Length when known (sizes the first block).
  explicit Fill(uint64_t expected_length = 0);

  // Writer side (one writer at a time).
  void append(std::span<const char> data);
  void complete();
  void fail();

  // Reader side. The span stays valid as long as the Fill lives.
  struct Chunk {
    std::span<const char> data;  // empty: nothing beyond `offset` yet (see state)
    State state = State::kFilling;
  };
  Chunk read(uint64_t offset) const;
  uint64_t size() const;
  // Heap bytes the body holds: its blocks as allocated (size-class rounding included).
  uint64_t allocated_bytes() const;
  State state() const;

  // Suspends until the fill grows beyond `offset` or stops filling. Runs on the caller's
  // executor; the writer may be on another worker.
  net::awaitable<void> wait_beyond(uint64_t offset);

  // Complete with every block kept: nothing changes any more, so readers need not register
  // (what a cache hit reads).
  bool settled() const { return settled_.load(std::memory_order_acquire); }

  // Readers of a fill that is not settled tell how far they got, so a writer that must bound
  // its buffer (objects too large to keep) can wait for the slowest and drop what everyone
  // has read.
  size_t reader_joined();  // returns the reader's slot
  void reader_left(size_t slot);
  void reader_progress(size_t slot, uint64_t offset);
  // Writer side for that mode: waits until buffered-but-unread bytes drop below `window`
  // (or no reader remains) and frees fully read blocks; returns false if no reader remains.
  net::awaitable<bool> wait_for_readers(uint64_t window);
  void stop_keeping();  // from now on, blocks read by every reader may be dropped

 private:
  void end(State final_state);
  void notify_locked(std::vector<std::function<void()>>& out);
  static void run(std::vector<std::function<void()>>& wakers);
  void drop_read_blocks_locked();
  // Where the slowest registered reader is (never beyond size_); none when no reader is.
  std::optional<uint64_t> slowest_reader_locked() const;

  mutable std::mutex mu_;
  struct Block {
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
    size_t used = 0;
  };
  // A vector, not a deque: an empty deque costs ~600 bytes, and readers never hold a Block
  // across the lock (only spans into its heap data, which never moves).
  std::vector<Block> blocks_;
  uint64_t dropped_bytes_ = 0;  // bytes before blocks_.front()
  uint64_t size_ = 0;
  uint64_t first_block_hint_;
  State state_ = State::kFilling;
  bool keep_ = true;
  std::atomic<bool> settled_{false};
  // Who waits and how far each reader got: made by the first to need it and dropped when the
  // fill ends, so the millions of stored bodies nobody waits on do not carry it.
  struct Waiting {
    std::vector<std::function<void()>> wakers;         // readers waiting for bytes
    std::vector<std::function<void()>> writer_wakers;  // writer waiting for readers
    std::vector<uint64_t> positions;  // per reader slot; kGone when the slot is free
  };
  Waiting& waiting_locked();
  std::unique_ptr<Waiting> waiting_;
  static constexpr uint64_t kGone = ~0ull;
};

}  // namespace edgefront::cache
