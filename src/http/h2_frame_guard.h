#pragma once
// Checks on the frames a viewer sends over HTTP/2 that nghttp2 leaves to the application
// (pure; fed from its on_begin_frame callback).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

namespace edgefront::http {

// Stream ids the viewer skipped. RFC 9113 5.1.1: a new stream's id must be above every id
// opened before, so a HEADERS on a skipped (never opened) lower id is a connection error.
// nghttp2 ignores it instead, since it cannot tell a skipped id from a closed stream (whose
// late trailers must be tolerated); the skipped ranges tell them apart.
class StreamIdLedger {
 public:
  // A HEADERS frame began on `stream_id`. False: it reuses an id the viewer skipped.
  bool headers_began(int32_t stream_id);

 private:
  static constexpr size_t kMaxGaps = 32;  // older gaps are forgotten (bounded memory)
  int32_t highest_ = -1;
  std::deque<std::pair<int32_t, int32_t>> gaps_;  // [first, last] odd ids never opened
};

// A frame that carries nothing (an empty DATA that does not end the stream, an empty header
// block fragment that does not end the block): costs the server a frame's work for free.
bool carries_nothing(uint8_t type, uint8_t flags, size_t payload_length);

// Events allowed per window before the viewer is judged to flood (resets, empty frames).
class FloodWindow {
 public:
  FloodWindow(uint32_t max_per_window, std::chrono::milliseconds window)
      : max_(max_per_window), window_(window) {}
  // Counts one event at `now`; false once the window holds more than the maximum.
  bool add(std::chrono::steady_clock::time_point now);

 private:
  uint32_t max_;
  std::chrono::milliseconds window_;
  std::chrono::steady_clock::time_point start_{};
  uint32_t count_ = 0;
};

}  // namespace edgefront::http
