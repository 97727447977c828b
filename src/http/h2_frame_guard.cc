#include "http/h2_frame_guard.h"

namespace edgefront::http {

namespace {

// RFC 9113 frame types and flags (nghttp2's values; kept here so this file stays pure).
constexpr uint8_t kData = 0x0;
constexpr uint8_t kHeaders = 0x1;
constexpr uint8_t kContinuation = 0x9;
constexpr uint8_t kEndStream = 0x1;
constexpr uint8_t kEndHeaders = 0x4;

}  // namespace

bool StreamIdLedger::headers_began(int32_t stream_id) {
  if (stream_id <= 0 || stream_id % 2 == 0) return true;  // not a viewer's id: nghttp2 refuses it
  if (stream_id > highest_) {
    // Client streams are odd: the ids strictly between the last one and this one are skipped.
    int32_t first = highest_ < 0 ? 1 : highest_ + 2;
    int32_t last = stream_id - 2;
    if (first <= last) {
      if (gaps_.size() == kMaxGaps) gaps_.pop_front();
      gaps_.emplace_back(first, last);
    }
    highest_ = stream_id;
    return true;
  }
  for (const auto& [first, last] : gaps_) {
    if (stream_id >= first && stream_id <= last) return false;
  }
  return true;
}

bool carries_nothing(uint8_t type, uint8_t flags, size_t payload_length) {
  if (payload_length != 0) return false;
  switch (type) {
    case kData:
      return (flags & kEndStream) == 0;
    case kHeaders:
    case kContinuation:
      return (flags & kEndHeaders) == 0;
    default:
      // SETTINGS may be empty; PING, RST_STREAM, PRIORITY, WINDOW_UPDATE and GOAWAY never are
      // when valid (nghttp2 answers FRAME_SIZE_ERROR); unknown types never reach the server.
      return false;
  }
}

bool FloodWindow::add(std::chrono::steady_clock::time_point now) {
  if (now - start_ > window_) {
    start_ = now;
    count_ = 0;
  }
  return ++count_ <= max_;
}

}  // namespace edgefront::http
