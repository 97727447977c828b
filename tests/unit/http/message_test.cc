#include "http/message.h"

#include <gtest/gtest.h>

namespace edgefront::http {
namespace {

TEST(HeaderListAddListToken, AddsWhenAbsentAndKeepsEveryExistingField) {
  HeaderList h;
  h.add_list_token("Vary", "Accept-Encoding");
  EXPECT_EQ(h.get("Vary"), "Accept-Encoding");

  HeaderList two;
  two.add("Vary", "Origin");
  two.add("vary", "Cookie");
  two.add_list_token("Vary", "Accept-Encoding");
  EXPECT_EQ(two.count("Vary"), 1u);
  EXPECT_EQ(two.get("Vary"), "Origin, Cookie, Accept-Encoding");
}

TEST(HeaderListAddListToken, LeavesAListedTokenOrAStarAlone) {
  HeaderList listed;
  listed.add("Vary", "origin, accept-encoding");
  listed.add_list_token("Vary", "Accept-Encoding");
  EXPECT_EQ(listed.get("Vary"), "origin, accept-encoding");

  HeaderList star;
  star.add("Vary", "*");
  star.add_list_token("Vary", "Origin");
  EXPECT_EQ(star.get("Vary"), "*");
}

}  // namespace
}  // namespace edgefront::http
