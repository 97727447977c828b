#include "http/h1_serialize.h"

#include <gtest/gtest.h>

namespace edgefront::http {
namespace {

ResponseHead head_with(std::initializer_list<std::pair<const char*, const char*>> fields) {
  ResponseHead head;
  head.status = 200;
  for (const auto& [name, value] : fields) head.headers.add(name, value);
  return head;
}

TEST(WireHead, StatusLineAndFieldsInOrderWithoutFraming) {
  ResponseHead head = head_with({{"Content-Type", "text/plain"},
                                 {"content-length", "5"},
                                 {"Transfer-Encoding", "chunked"},
                                 {"Connection", "close"},
                                 {"KEEP-ALIVE", "timeout=5"},
                                 {"ETag", "\"a\""}});
  WireHead wire;
  serialize_wire_head(PackedHead(head), {}, wire);
  EXPECT_EQ(wire.status, 200);
  EXPECT_FALSE(wire.has_date);
  EXPECT_EQ(wire.lines, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"a\"\r\n");
}

TEST(WireHead, LeavesOutTheNamedFieldsAndNotesDate) {
  ResponseHead head = head_with({{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"},
                                 {"age", "12"},
                                 {"X-Cache", "Miss from edgefront"},
                                 {"Cache-Status", "upstream; hit"}});
  WireHead wire;
  serialize_wire_head(PackedHead(head), {"Age", "X-Cache"}, wire);
  EXPECT_TRUE(wire.has_date);
  EXPECT_EQ(wire.lines,
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Cache-Status: upstream; hit\r\n");
}

TEST(WireHead, KeepsAStoredReasonPhraseAndReusesTheOutput) {
  ResponseHead head = head_with({{"A", "1"}});
  head.status = 404;
  head.reason = "Gone Fishing";
  WireHead wire;
  wire.lines = "left over";
  wire.has_date = true;
  serialize_wire_head(PackedHead(head), {}, wire);
  EXPECT_EQ(wire.lines, "HTTP/1.1 404 Gone Fishing\r\nA: 1\r\n");
  EXPECT_FALSE(wire.has_date);
}

TEST(UnframedHead, AppendsAfterWhatIsThereAndReportsDate) {
  ResponseHead head = head_with({{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}, {"Connection", "x"}});
  head.status = 204;
  std::string out = "queued:";
  EXPECT_TRUE(append_unframed_head(head, {}, out));
  EXPECT_EQ(out, "queued:HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  std::string without;
  EXPECT_FALSE(append_unframed_head(head_with({{"A", "1"}}), {}, without));
}

TEST(HeaderLine, TextAndNumbers) {
  std::string out;
  append_header_line("Age", uint64_t{0}, out);
  append_header_line("Content-Length", uint64_t{18446744073709551615ull}, out);
  append_header_line("X", "y", out);
  EXPECT_EQ(out, "Age: 0\r\nContent-Length: 18446744073709551615\r\nX: y\r\n");
}

TEST(ChunkSize, IsHex) {
  std::string out;
  append_chunk_size(0x1a2, out);
  append_chunk_size(0, out);
  EXPECT_EQ(out, "1a2\r\n0\r\n");
}

TEST(FramingField, NamesAnyCase) {
  for (const char* name :
       {"Content-Length", "content-length", "Transfer-Encoding", "Connection", "keep-alive"}) {
    EXPECT_TRUE(is_framing_field(name)) << name;
  }
  for (const char* name : {"Content-Type", "Content-Lengths", "Keep", "Date", ""}) {
    EXPECT_FALSE(is_framing_field(name)) << name;
  }
}

}  // namespace
}  // namespace edgefront::http
