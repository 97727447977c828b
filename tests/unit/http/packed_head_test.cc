#include "http/packed_head.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgefront::http {
namespace {

ResponseHead sample() {
  ResponseHead head;
  head.status = 203;
  head.reason = "Non-Authoritative";
  head.version = {1, 0};
  head.headers.add("Content-Type", "text/plain");
  head.headers.add("Vary", "Accept-Encoding");
  head.headers.add("vary", "X-Device");
  head.headers.add("Empty", "");
  head.headers.add("ETag", "\"v1\"");
  return head;
}

TEST(PackedHead, UnpacksToTheSameHead) {
  const ResponseHead head = sample();
  const ResponseHead back = PackedHead(head).unpack();
  EXPECT_EQ(back.status, 203);
  EXPECT_EQ(back.reason, "Non-Authoritative");
  EXPECT_EQ(back.version, (Version{1, 0}));
  EXPECT_EQ(back.headers.fields(), head.headers.fields());
}

TEST(PackedHead, FindsTheFirstValueIgnoringCase) {
  const PackedHead packed(sample());
  EXPECT_EQ(packed.get("vary"), "Accept-Encoding");
  EXPECT_EQ(packed.get("ETAG"), "\"v1\"");
  EXPECT_EQ(packed.get("Empty"), "");
  EXPECT_FALSE(packed.get("Etag2"));
  EXPECT_FALSE(packed.get("ETa"));
  EXPECT_TRUE(packed.contains("content-type"));
  EXPECT_EQ(packed.status(), 203);
  EXPECT_EQ(packed.reason(), "Non-Authoritative");
}

TEST(PackedHead, IteratesEveryFieldInOrderWithDuplicates) {
  const PackedHead packed(sample());
  std::vector<std::string> seen;
  for (const auto& [name, value] : packed)
    seen.push_back(std::string(name) + "=" + std::string(value));
  EXPECT_EQ(seen, (std::vector<std::string>{"Content-Type=text/plain", "Vary=Accept-Encoding",
                                            "vary=X-Device", "Empty=", "ETag=\"v1\""}));
  EXPECT_EQ(packed.field_count(), 5u);
}

TEST(PackedHead, AnEmptyHeadHasNoFields) {
  const PackedHead empty;
  EXPECT_EQ(empty.begin(), empty.end());
  EXPECT_EQ(empty.field_count(), 0u);
  EXPECT_EQ(empty.status(), 200);
  EXPECT_FALSE(empty.get("Date"));
  ResponseHead bare;
  bare.status = 404;
  const PackedHead packed(bare);
  EXPECT_EQ(packed.field_count(), 0u);
  EXPECT_EQ(packed.unpack().status, 404);
}

TEST(PackedHead, KeepsValuesOfEveryLengthWhole) {
  ResponseHead head;
  // Around each step of the varint lengths, and beyond any 16-bit length.
  for (size_t length : {0, 1, 127, 128, 129, 16383, 16384, 70000}) {
    head.headers.add("X-" + std::to_string(length), std::string(length, 'v'));
  }
  head.headers.add(std::string(200, 'n'), "long name");
  const PackedHead packed(head);
  for (size_t length : {0, 1, 127, 128, 129, 16383, 16384, 70000}) {
    EXPECT_EQ(packed.get("x-" + std::to_string(length)), std::string(length, 'v')) << length;
  }
  EXPECT_EQ(packed.get(std::string(200, 'N')), "long name");
  EXPECT_EQ(packed.unpack().headers.fields(), head.headers.fields());
}

TEST(PackedHead, CostsOneStringForTheWholeHead) {
  const ResponseHead head = sample();
  size_t text = head.reason.size();
  for (const auto& [name, value] : head.headers.fields()) text += name.size() + value.size();
  const PackedHead packed(head);
  // A one-byte length for each short name and value on top of the text, nothing else.
  EXPECT_EQ(packed.packed_bytes(), text + 2 * head.headers.size());
}

}  // namespace
}  // namespace edgefront::http
