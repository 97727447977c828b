// What edgefront checks on a viewer's HTTP/2 frames beyond nghttp2: skipped stream ids reused
// (RFC 9113 5.1.1), frames that carry nothing, and the per-window flood counter.
#include "http/h2_frame_guard.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace edgefront::http {
namespace {

struct IdCase {
  std::vector<int32_t> opened;  // HEADERS already begun, in order
  int32_t next;
  bool accepted;
};

TEST(StreamIdLedger, RefusesOnlyIdsTheViewerSkipped) {
  const IdCase cases[] = {
      {{}, 1, true},         {{1}, 3, true},
      {{5}, 3, false},    // h2spec 5.1.1/2: 5 opened, then 3
      {{5}, 1, false},    // the first ids skipped too
      {{1, 3}, 1, true},  // an opened stream's trailers (or a late frame after our RST)
      {{1, 7, 9}, 5, false}, {{1, 7, 9}, 7, true},
      {{1, 7, 9}, 11, true}, {{1, 7}, 2, true},  // even ids are nghttp2's to refuse
      {{1, 7}, 0, true},     {{3, 101}, 51, false},
      {{3, 101}, 1, false},
  };
  for (const auto& c : cases) {
    StreamIdLedger ledger;
    for (int32_t id : c.opened) ASSERT_TRUE(ledger.headers_began(id));
    EXPECT_EQ(ledger.headers_began(c.next), c.accepted) << "next " << c.next;
  }
}

TEST(StreamIdLedger, RemembersABoundedNumberOfGaps) {
  StreamIdLedger ledger;
  int32_t id = 1;
  for (int i = 0; i < 1000; ++i, id += 4) ASSERT_TRUE(ledger.headers_began(id));
  EXPECT_FALSE(ledger.headers_began(id - 6));  // a recent gap is still known
  EXPECT_TRUE(ledger.headers_began(3));        // the oldest were forgotten: nghttp2 ignores it
}

struct FrameCase {
  uint8_t type;
  uint8_t flags;
  size_t length;
  bool nothing;
};

TEST(CarriesNothing, EmptyFramesThatDoNotEndAnything) {
  const FrameCase cases[] = {
      {0x0, 0x0, 0, true},   // empty DATA
      {0x0, 0x8, 0, true},   // empty DATA, PADDED flag but no payload
      {0x0, 0x1, 0, false},  // empty DATA ending the stream: how many clients end a body
      {0x0, 0x0, 1, false},  {0x1, 0x0, 0, true},   // empty HEADERS fragment, CONTINUATION expected
      {0x1, 0x4, 0, false},                         // END_HEADERS: a (bad) block, judged elsewhere
      {0x9, 0x0, 0, true},                          // empty CONTINUATION
      {0x9, 0x4, 0, false},  {0x4, 0x0, 0, false},  // SETTINGS without parameters
      {0x4, 0x1, 0, false},                         // SETTINGS ACK
      {0x6, 0x0, 0, false},                         // PING (FRAME_SIZE_ERROR from nghttp2)
      {0x8, 0x0, 0, false},                         // WINDOW_UPDATE
      {0xff, 0x0, 0, false},  // unknown types: nghttp2 skips them without a callback
  };
  for (const auto& c : cases) {
    EXPECT_EQ(carries_nothing(c.type, c.flags, c.length), c.nothing)
        << "type " << int(c.type) << " flags " << int(c.flags) << " length " << c.length;
  }
}

TEST(FloodWindow, CountsPerWindowAndStartsAgain) {
  using namespace std::chrono_literals;
  FloodWindow w(3, 10s);
  auto t = std::chrono::steady_clock::time_point{} + 1h;
  EXPECT_TRUE(w.add(t));
  EXPECT_TRUE(w.add(t + 1s));
  EXPECT_TRUE(w.add(t + 2s));
  EXPECT_FALSE(w.add(t + 3s));
  EXPECT_FALSE(w.add(t + 10s));
  EXPECT_TRUE(w.add(t + 11s));  // a new window
  EXPECT_TRUE(w.add(t + 12s));
}

}  // namespace
}  // namespace edgefront::http
