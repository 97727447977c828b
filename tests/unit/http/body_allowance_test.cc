#include "http/body_allowance.h"

#include <gtest/gtest.h>

namespace edgefront::http {
namespace {

TEST(BodyAllowance, KnownLengthIsNeitherOverrunNorEndedShort) {
  BodyAllowance body;
  body.start(false, BodyLength::known(10));
  EXPECT_TRUE(body.take(4).ok());
  EXPECT_FALSE(body.take(7).ok()) << "beyond the announced length";
  EXPECT_TRUE(body.short_of_length());
  Result<bool> early = body.end();
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().kind, ErrorKind::kOriginClosed);
  EXPECT_FALSE(body.ended());
  EXPECT_TRUE(body.take(6).ok());
  Result<bool> ended = body.end();
  ASSERT_TRUE(ended.ok());
  EXPECT_TRUE(ended.value()) << "the first end";
  EXPECT_TRUE(body.ended());
  Result<bool> again = body.end();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value()) << "already ended";
}

TEST(BodyAllowance, UnknownLengthAndNoBodyEndAnyTime) {
  BodyAllowance open;
  open.start(false, BodyLength::unknown());
  EXPECT_TRUE(open.take(1 << 20).ok());
  EXPECT_TRUE(open.end().ok());
  BodyAllowance head;  // HEAD, 204, 304: the length is announced, no byte follows
  head.start(true, BodyLength::known(100));
  EXPECT_TRUE(head.no_body());
  EXPECT_FALSE(head.short_of_length());
  EXPECT_TRUE(head.end().ok());
}

}  // namespace
}  // namespace edgefront::http
