#include "tls/server_names.h"

#include <gtest/gtest.h>

namespace edgefront::tls {
namespace {

ServerNameIndex sample() {
  ServerNameIndex index;
  index.add(0, {"default.example"});
  index.add(1, {"www.example.com", "Example.COM"});
  index.add(2, {"*.example.com"});
  index.add(3, {"*.static.example.com", "www.example.com"});  // www is already taken by 1
  return index;
}

TEST(ServerNames, ExactNamesWinOverWildcards) {
  ServerNameIndex index = sample();
  EXPECT_EQ(index.select("www.example.com"), 1u);
  EXPECT_EQ(index.select("example.com"), 1u);
  EXPECT_EQ(index.select("default.example"), 0u);
}

TEST(ServerNames, MatchingIgnoresCaseAndATrailingDot) {
  ServerNameIndex index = sample();
  EXPECT_EQ(index.select("WWW.Example.Com"), 1u);
  EXPECT_EQ(index.select("www.example.com."), 1u);
  EXPECT_EQ(index.select("IMG.example.com"), 2u);
}

TEST(ServerNames, AWildcardCoversExactlyOneLabel) {
  ServerNameIndex index = sample();
  EXPECT_EQ(index.select("img.example.com"), 2u);
  EXPECT_EQ(index.select("a.static.example.com"), 3u);
  EXPECT_EQ(index.select("a.b.example.com"), 0u);  // two labels: no wildcard matches
  EXPECT_EQ(index.select(".example.com"), 0u);     // empty label
}

TEST(ServerNames, NoOrUnknownNameGetsTheDefault) {
  ServerNameIndex index = sample();
  EXPECT_EQ(index.select(""), 0u);
  EXPECT_EQ(index.select("other.test"), 0u);
  EXPECT_EQ(index.select("com"), 0u);
}

}  // namespace
}  // namespace edgefront::tls
