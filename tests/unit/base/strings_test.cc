#include "base/strings.h"

#include <gtest/gtest.h>

namespace edgefront {
namespace {

TEST(PercentDecode, DecodesEscapesOfEitherCase) {
  std::string out;
  ASSERT_TRUE(percent_decode("a%2Fb%2fc%25%09", out));
  EXPECT_EQ(out, "a/b/c%\t");
  ASSERT_TRUE(percent_decode("", out));
  EXPECT_EQ(out, "");
}

TEST(PercentDecode, RefusesMalformedEscapes) {
  std::string out;
  for (const char* bad : {"%", "%4", "abc%", "%zz", "%4g", "x%%41"}) {
    EXPECT_FALSE(percent_decode(bad, out)) << bad;
  }
}

}  // namespace
}  // namespace edgefront
