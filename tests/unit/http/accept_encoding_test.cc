#include "http/accept_encoding.h"

#include <gtest/gtest.h>

namespace edgefront::http {
namespace {

TEST(AcceptEncoding, AcceptsCoding) {
  EXPECT_TRUE(accepts_coding("gzip, br", "gzip"));
  EXPECT_TRUE(accepts_coding("GZIP;q=0.5", "gzip"));
  EXPECT_TRUE(accepts_coding("br; q=1", "br"));
  EXPECT_FALSE(accepts_coding("gzip;q=0", "gzip"));
  EXPECT_FALSE(accepts_coding("gzip; Q=0.000", "gzip"));
  EXPECT_FALSE(accepts_coding("x-gzip", "gzip"));
  EXPECT_FALSE(accepts_coding("*", "gzip"));
  EXPECT_FALSE(accepts_coding("", "gzip"));
}

TEST(AcceptEncoding, Normalize) {
  EXPECT_EQ(normalize_accept_encoding("gzip, deflate, br, zstd", true, true), "br,gzip");
  EXPECT_EQ(normalize_accept_encoding("br, gzip", true, false), "gzip");
  EXPECT_EQ(normalize_accept_encoding("br, gzip", false, true), "br");
  EXPECT_EQ(normalize_accept_encoding("deflate", true, true), "");
  EXPECT_EQ(normalize_accept_encoding("gzip", false, false), "");
  // zstd only when enabled (edgefront's extension), after CloudFront's two.
  EXPECT_EQ(normalize_accept_encoding("gzip, deflate, br, zstd", true, true, true), "br,gzip,zstd");
  EXPECT_EQ(normalize_accept_encoding("zstd, gzip", true, true, true), "gzip,zstd");
  EXPECT_EQ(normalize_accept_encoding("zstd", true, true, true), "zstd");
  EXPECT_EQ(normalize_accept_encoding("zstd;q=0, br", false, true, true), "br");
}

}  // namespace
}  // namespace edgefront::http
