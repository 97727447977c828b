#include "http/range.h"

#include <gtest/gtest.h>

#include "http/http_date.h"

namespace edgefront::http {
namespace {

using Kind = RangeRequest::Kind;

struct Case {
  const char* header;
  Kind kind;
  std::vector<ByteRange> ranges;
};

TEST(ParseRange, Table) {
  const uint64_t size = 1000;
  for (const Case& c : std::initializer_list<Case>{
           {"bytes=0-9", Kind::kSatisfiable, {{0, 9}}},
           {"bytes=990-", Kind::kSatisfiable, {{990, 999}}},
           {"bytes=-10", Kind::kSatisfiable, {{990, 999}}},
           {"bytes=-5000", Kind::kSatisfiable, {{0, 999}}},
           {"bytes=900-5000", Kind::kSatisfiable, {{900, 999}}},
           {"BYTES=0-0", Kind::kSatisfiable, {{0, 0}}},
           {"bytes=0-1,5-6", Kind::kSatisfiable, {{0, 1}, {5, 6}}},
           {"bytes=500-600, 0-99", Kind::kSatisfiable, {{500, 600}, {0, 99}}},
           {"bytes=0-1,,5-6", Kind::kSatisfiable, {{0, 1}, {5, 6}}},
           {"bytes=0-1,2-3", Kind::kSatisfiable, {{0, 1}, {2, 3}}},
           {"bytes=0-9,2000-3000", Kind::kSatisfiable, {{0, 9}}},
           // Unsatisfiable -> 416.
           {"bytes=1000-", Kind::kUnsatisfiable, {}},
           {"bytes=-0", Kind::kUnsatisfiable, {}},
           {"bytes=1000-2000,5000-", Kind::kUnsatisfiable, {}},
           // Ignored -> 200.
           {"bytes=9-1", Kind::kIgnore, {}},
           {"bytes=0-5,3-8", Kind::kIgnore, {}},
           {"bytes=0-5,5-8", Kind::kIgnore, {}},
           {"bytes=-100,950-", Kind::kIgnore, {}},
           {"bytes=abc", Kind::kIgnore, {}},
           {"bytes=--1", Kind::kIgnore, {}},
           {"bytes=", Kind::kIgnore, {}},
           {"bytes=,", Kind::kIgnore, {}},
           {"items=0-1", Kind::kIgnore, {}},
           {"bytes 0-1", Kind::kIgnore, {}},
           {"bytes=1-2-3", Kind::kIgnore, {}},
           {"bytes=0-1,x", Kind::kIgnore, {}},
           {"bytes=99999999999999999999-", Kind::kIgnore, {}},
           {"bytes=+1-2", Kind::kIgnore, {}},
           {"", Kind::kIgnore, {}},
       }) {
    RangeRequest r = parse_range(c.header, size);
    EXPECT_EQ(r.kind, c.kind) << c.header;
    EXPECT_EQ(r.ranges, c.ranges) << c.header;
  }
}

TEST(ParseRange, EmptyRepresentation) {
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=-1", 0).kind, Kind::kUnsatisfiable);
}

TEST(ParseRange, TooManyRangesIgnored) {
  std::string many = "bytes=";
  for (int i = 0; i < 65; ++i) many += std::to_string(i * 10) + "-" + std::to_string(i * 10) + ",";
  EXPECT_EQ(parse_range(many, 100000).kind, Kind::kIgnore);
}

TEST(ParseRange, LastByteOfHugeObject) {
  RangeRequest r = parse_range("bytes=-1", UINT64_MAX);
  ASSERT_EQ(r.kind, Kind::kSatisfiable);
  EXPECT_EQ(r.ranges[0].first, UINT64_MAX - 1);
  EXPECT_EQ(r.ranges[0].length(), 1u);
}

TEST(ContentRange, Format) {
  EXPECT_EQ(content_range(ByteRange{0, 9}, 1000), "bytes 0-9/1000");
  EXPECT_EQ(unsatisfied_content_range(1000), "bytes */1000");
}

const SystemTime kLm = SystemTime(std::chrono::seconds(1'700'000'000));

HeaderList validators() {
  HeaderList h;
  h.add("ETag", "\"v1\"");
  h.add("Last-Modified", format_http_date(kLm));
  h.add("Date", format_http_date(kLm + std::chrono::seconds(60)));
  return h;
}

TEST(IfRange, EntityTags) {
  EXPECT_TRUE(if_range_matches("\"v1\"", validators()));
  EXPECT_FALSE(if_range_matches("\"v2\"", validators()));
  EXPECT_FALSE(if_range_matches("W/\"v1\"", validators()));
  HeaderList weak;
  weak.add("ETag", "W/\"v1\"");
  EXPECT_FALSE(if_range_matches("W/\"v1\"", weak));
}

TEST(IfRange, Dates) {
  EXPECT_TRUE(if_range_matches(format_http_date(kLm), validators()));
  EXPECT_FALSE(if_range_matches(format_http_date(kLm + std::chrono::seconds(1)), validators()));
  EXPECT_FALSE(if_range_matches("garbage", validators()));
  // Last-Modified within a second of Date is weak: no match.
  HeaderList weak = validators();
  weak.set("Date", format_http_date(kLm));
  EXPECT_FALSE(if_range_matches(format_http_date(kLm), weak));
}

RequestHead get(std::initializer_list<HeaderList::Field> headers) {
  RequestHead r;
  r.target = "/a";
  for (const auto& [n, v] : headers) r.headers.add(n, v);
  return r;
}

TEST(EvaluateRange, HonoursIfRangeAndMethod) {
  EXPECT_EQ(evaluate_range(get({{"Range", "bytes=0-1"}}), validators(), 10).kind,
            Kind::kSatisfiable);
  EXPECT_EQ(
      evaluate_range(get({{"Range", "bytes=0-1"}, {"If-Range", "\"v1\""}}), validators(), 10).kind,
      Kind::kSatisfiable);
  EXPECT_EQ(
      evaluate_range(get({{"Range", "bytes=0-1"}, {"If-Range", "\"v0\""}}), validators(), 10).kind,
      Kind::kIgnore);
  EXPECT_EQ(
      evaluate_range(get({{"Range", "bytes=0-1"}, {"Range", "bytes=2-3"}}), validators(), 10).kind,
      Kind::kIgnore);
  RequestHead head = get({{"Range", "bytes=0-1"}});
  head.method = Method::kHead;
  EXPECT_EQ(evaluate_range(head, validators(), 10).kind, Kind::kIgnore);
  EXPECT_EQ(evaluate_range(get({}), validators(), 10).kind, Kind::kIgnore);
}

}  // namespace
}  // namespace edgefront::http
