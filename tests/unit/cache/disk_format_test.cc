#include "cache/disk_format.h"

#include <gtest/gtest.h>

namespace edgefront::cache {
namespace {

ObjectMeta sample_meta() {
  ObjectMeta m;
  http::ResponseHead head;
  head.status = 203;
  head.reason = "Non-Authoritative";
  head.headers.add("Content-Type", "text/plain");
  head.headers.add("ETag", "\"v1\"");
  m.head = http::PackedHead(head);
  m.age_inputs.request_time = SystemTime(std::chrono::seconds(1700000000));
  m.age_inputs.response_time = SystemTime(std::chrono::seconds(1700000001));
  m.age_inputs.date = SystemTime(std::chrono::seconds(1699999999));
  m.age_inputs.age_value = Seconds(7);
  m.decision.store = true;
  m.decision.ttl = Seconds(3600);
  m.decision.stale_while_revalidate = Seconds(30);
  m.decision.stale_if_error = Seconds(60);
  m.decision.must_revalidate = true;
  m.decision.serve_stale_on_origin_error = true;
  m.decision.omit_fields = {"set-cookie"};
  m.has_validator = true;
  m.secondary_key = "accept-language=fr";
  m.distribution_id = "EDFDVBD6EXAMPLE";
  m.path = "/images/a.png?x=1";
  m.tags = {"product-1", "images"};
  m.content_length = 11;
  m.compressed = http::Coding::kBrotli;
  return m;
}

const std::string kPrimary = "EDFDVBD6EXAMPLE\n\n/images/a.png\n";
const std::string kBody = "hello world";

TEST(DiskFormat, RoundTripKeepsEveryField) {
  std::string bytes = encode_record(kPrimary, sample_meta(), kBody);
  Result<DecodedRecord> rec = decode_record(bytes, kPrimary);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  const ObjectMeta& m = rec.value().head.meta;
  ObjectMeta want = sample_meta();
  EXPECT_EQ(rec.value().body, kBody);
  EXPECT_EQ(rec.value().head.primary, kPrimary);
  EXPECT_EQ(m.head.status(), 203);
  EXPECT_EQ(m.head.reason(), want.head.reason());
  EXPECT_EQ(m.head.unpack().headers.fields(), want.head.unpack().headers.fields());
  EXPECT_EQ(m.age_inputs.request_time, want.age_inputs.request_time);
  EXPECT_EQ(m.age_inputs.response_time, want.age_inputs.response_time);
  EXPECT_EQ(m.age_inputs.date, want.age_inputs.date);
  EXPECT_EQ(m.age_inputs.age_value, want.age_inputs.age_value);
  EXPECT_TRUE(m.decision.store);
  EXPECT_EQ(m.decision.ttl, want.decision.ttl);
  EXPECT_EQ(m.decision.stale_while_revalidate, want.decision.stale_while_revalidate);
  EXPECT_EQ(m.decision.stale_if_error, want.decision.stale_if_error);
  EXPECT_TRUE(m.decision.must_revalidate);
  EXPECT_TRUE(m.decision.serve_stale_on_origin_error);
  EXPECT_FALSE(m.decision.revalidate_always);
  EXPECT_EQ(m.decision.omit_fields, want.decision.omit_fields);
  EXPECT_TRUE(m.has_validator);
  EXPECT_EQ(m.secondary_key, want.secondary_key);
  EXPECT_EQ(m.distribution_id, want.distribution_id);
  EXPECT_EQ(m.path, want.path);
  EXPECT_EQ(m.tags, want.tags);
  EXPECT_EQ(m.content_length, want.content_length);
  EXPECT_EQ(m.compressed, want.compressed);
}

TEST(DiskFormat, AbsentOptionalsStayAbsent) {
  ObjectMeta m;
  std::string bytes = encode_record(kPrimary, m, "");
  Result<DecodedRecord> rec = decode_record(bytes, kPrimary);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_FALSE(rec.value().head.meta.age_inputs.date);
  EXPECT_FALSE(rec.value().head.meta.content_length);
  EXPECT_TRUE(rec.value().body.empty());
}

TEST(DiskFormat, EveryTruncationIsRejected) {
  std::string bytes = encode_record(kPrimary, sample_meta(), kBody);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_record(std::string_view(bytes).substr(0, n), kPrimary).ok()) << n;
  }
}

TEST(DiskFormat, EveryBitFlipIsRejected) {
  const std::string bytes = encode_record(kPrimary, sample_meta(), kBody);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      EXPECT_FALSE(decode_record(flipped, kPrimary).ok()) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(DiskFormat, AppendedBytesAreRejected) {
  std::string bytes = encode_record(kPrimary, sample_meta(), kBody) + "x";
  EXPECT_FALSE(decode_record(bytes, kPrimary).ok());
}

TEST(DiskFormat, RecordOfAnotherKeyIsRejected) {
  std::string bytes = encode_record(kPrimary, sample_meta(), kBody);
  Result<DecodedRecord> rec = decode_record(bytes, "EDFDVBD6EXAMPLE\n\n/other\n");
  ASSERT_FALSE(rec.ok());
  EXPECT_NE(rec.error().message.find("another key"), std::string::npos);
}

TEST(DiskFormat, HeadDecodesFromPrefixAndChecksFileSize) {
  std::string bytes = encode_record(kPrimary, sample_meta(), kBody);
  Result<uint64_t> head_length = record_head_length(bytes);
  ASSERT_TRUE(head_length.ok());
  std::string_view prefix = std::string_view(bytes).substr(0, head_length.value());
  Result<RecordHead> head = decode_record_head(prefix, bytes.size());
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head.value().body_length, kBody.size());
  EXPECT_EQ(head.value().meta.path, "/images/a.png?x=1");
  EXPECT_FALSE(decode_record_head(prefix, bytes.size() - 1).ok()) << "a short file";
  EXPECT_FALSE(decode_record_head(prefix, bytes.size() + 1).ok()) << "a long file";
}

TEST(DiskFormat, StreamedBodyChecksumMatchesOneShot) {
  std::string head = encode_record_head(kPrimary, sample_meta(), kBody.size());
  BodyChecksum sum;
  sum.update("hello ");
  sum.update("world");
  std::string streamed = head + kBody + encode_trailer(sum.digest(record_head_checksum(head)));
  EXPECT_EQ(streamed, encode_record(kPrimary, sample_meta(), kBody));
}

}  // namespace
}  // namespace edgefront::cache
