#include "cache/wire_head_slot.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "cache/cached_object.h"

namespace edgefront::cache {
namespace {

http::ResponseHead stored_head() {
  http::ResponseHead head;
  head.status = 200;
  head.headers.add("Content-Type", "text/html");
  head.headers.add("Age", "7");
  head.headers.add("X-Cache", "Miss from edgefront");
  head.headers.add("Content-Length", "10");
  return head;
}

TEST(WireHeadSlot, MadeOnceLeavingOutEachAnswersOwnFields) {
  WireHeadSlot slot;
  const http::WireHead& first = slot.get(http::PackedHead(stored_head()));
  EXPECT_EQ(first.lines, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n");
  http::ResponseHead changed = stored_head();
  changed.headers.add("Later", "change");  // a published head does not change; the slot keeps
  EXPECT_EQ(&slot.get(http::PackedHead(changed)), &first);
}

TEST(WireHeadSlot, ACopiedMetaSerializesItsOwnHead) {
  ObjectMeta meta;
  meta.head = http::PackedHead(stored_head());
  (void)meta.wire.get(meta.head);
  ObjectMeta revalidated = meta;  // as a 304 update does before publishing
  http::ResponseHead refreshed = revalidated.head.unpack();
  refreshed.headers.set("Content-Type", "text/plain");
  revalidated.head = http::PackedHead(refreshed);
  EXPECT_EQ(revalidated.wire.get(revalidated.head).lines,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n");
  EXPECT_EQ(meta.wire.get(meta.head).lines, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n");
}

TEST(WireHeadSlot, WorkersRacingToMakeItAllGetTheSameOne) {
  WireHeadSlot slot;
  const http::PackedHead head(stored_head());
  std::vector<const http::WireHead*> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = &slot.get(head); });
  }
  for (std::thread& t : threads) t.join();
  for (const http::WireHead* w : seen) EXPECT_EQ(w, seen.front());
}

}  // namespace
}  // namespace edgefront::cache
