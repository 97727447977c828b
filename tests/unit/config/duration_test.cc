#include "config/duration.h"

#include <gtest/gtest.h>

namespace edgefront::config {
namespace {

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(parse_duration("250ms"), Duration(250));
  EXPECT_EQ(parse_duration("10s"), Duration(10'000));
  EXPECT_EQ(parse_duration("2m"), Duration(120'000));
  EXPECT_EQ(parse_duration("1h"), Duration(3'600'000));
  EXPECT_EQ(parse_duration("0"), Duration(0));
  EXPECT_EQ(parse_duration("0ms"), Duration(0));
}

TEST(DurationTest, PlainIntegerIsSeconds) {
  EXPECT_EQ(parse_duration("30"), Duration(30'000));
  EXPECT_EQ(parse_duration("1"), Duration(1'000));
}

TEST(DurationTest, RejectsMalformed) {
  for (const char* bad : {"", "s", "ms", "-1s", "+1s", "1.5s", "10 s", " 10s", "10sec", "10S", "1d",
                          "1e3", "0x10", "99999999999999999999", "9999999999h"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(DurationTest, FormatsShortestExactSpelling) {
  EXPECT_EQ(format_duration(Duration(250)), "250ms");
  EXPECT_EQ(format_duration(Duration(1'500)), "1500ms");
  EXPECT_EQ(format_duration(Duration(10'000)), "10s");
  EXPECT_EQ(format_duration(Duration(60'000)), "60s");
  EXPECT_EQ(format_duration(Duration(600'000)), "10m");
  EXPECT_EQ(format_duration(Duration(3'600'000)), "1h");
  EXPECT_EQ(format_duration(Duration(5'400'000)), "90m");
  EXPECT_EQ(format_duration(Duration(0)), "0s");
}

TEST(DurationTest, FormatRoundTrips) {
  for (int64_t ms : {1, 999, 1'000, 59'000, 61'000, 120'000, 3'600'000}) {
    EXPECT_EQ(parse_duration(format_duration(Duration(ms))), Duration(ms)) << ms;
  }
}

}  // namespace
}  // namespace edgefront::config
