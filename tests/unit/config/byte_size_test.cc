#include "config/byte_size.h"

#include <gtest/gtest.h>

namespace edgefront::config {
namespace {

TEST(ByteSizeTest, AcceptsUnitsAndPlainBytes) {
  EXPECT_EQ(parse_byte_size("0"), 0u);
  EXPECT_EQ(parse_byte_size("1024"), 1024u);
  EXPECT_EQ(parse_byte_size("512B"), 512u);
  EXPECT_EQ(parse_byte_size("64KiB"), 64u << 10);
  EXPECT_EQ(parse_byte_size("256MiB"), 256u << 20);
  EXPECT_EQ(parse_byte_size("2GiB"), 2ull << 30);
  EXPECT_EQ(parse_byte_size("3TiB"), 3ull << 40);
  EXPECT_EQ(parse_byte_size("8388608TiB"), 1ull << 63);
}

TEST(ByteSizeTest, RejectsMalformed) {
  for (const char* bad : {"", "MiB", "-1", "+1", "1.5MiB", "1 MiB", "1MB", "1mib", "1K", "1GB",
                          "99999999999999999999", "8388609TiB", " 1"}) {
    EXPECT_EQ(parse_byte_size(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace edgefront::config
