#include "cache/conditional.h"

#include <gtest/gtest.h>

#include "http/http_date.h"

namespace edgefront::cache {
namespace {

using std::chrono::seconds;
const SystemTime kModified = SystemTime(seconds(1'700'000'000));
std::string date(seconds offset) { return http::format_http_date(kModified + offset); }

http::HeaderList stored(const char* etag = "\"v1\"") {
  http::HeaderList h;
  if (etag) h.add("ETag", etag);
  h.add("Last-Modified", date(seconds(0)));
  return h;
}

ConditionalResult eval(std::initializer_list<http::HeaderList::Field> headers,
                       http::Method method = http::Method::kGet,
                       const http::HeaderList& s = stored(), int status = 200) {
  http::RequestHead r;
  r.method = method;
  r.target = "/a";
  for (const auto& [n, v] : headers) r.headers.add(n, v);
  http::ResponseHead head;
  head.status = status;
  head.headers = s;
  return evaluate_conditionals(r, http::PackedHead(head));
}

TEST(Conditionals, NoneWithoutConditionalHeaders) { EXPECT_EQ(eval({}), ConditionalResult::kNone); }

TEST(Conditionals, IfNoneMatchWeakComparison) {
  EXPECT_EQ(eval({{"If-None-Match", "\"v1\""}}), ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-None-Match", "W/\"v1\""}}), ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-None-Match", "\"v1\""}}, http::Method::kGet, stored("W/\"v1\"")),
            ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-None-Match", "\"x\", \"v1\""}}), ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-None-Match", "\"x\""}, {"If-None-Match", "\"v1\""}}),
            ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-None-Match", "*"}}), ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-None-Match", "\"v2\""}}), ConditionalResult::kNone);
  EXPECT_EQ(eval({{"If-None-Match", "\"a,b\", \"v1\""}}), ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-None-Match", "v1"}}), ConditionalResult::kNone);  // malformed
  EXPECT_EQ(eval({{"If-None-Match", "\"v1\""}}, http::Method::kHead),
            ConditionalResult::kNotModified);
}

TEST(Conditionals, IfNoneMatchOnUnsafeMethodFails) {
  EXPECT_EQ(eval({{"If-None-Match", "\"v1\""}}, http::Method::kPut),
            ConditionalResult::kPreconditionFailed);
}

TEST(Conditionals, IfMatchStrongComparison) {
  EXPECT_EQ(eval({{"If-Match", "\"v1\""}}), ConditionalResult::kNone);
  EXPECT_EQ(eval({{"If-Match", "\"v2\""}}), ConditionalResult::kPreconditionFailed);
  EXPECT_EQ(eval({{"If-Match", "W/\"v1\""}}), ConditionalResult::kPreconditionFailed);
  EXPECT_EQ(eval({{"If-Match", "\"v1\""}}, http::Method::kGet, stored("W/\"v1\"")),
            ConditionalResult::kPreconditionFailed);
  EXPECT_EQ(eval({{"If-Match", "*"}}), ConditionalResult::kNone);
  EXPECT_EQ(eval({{"If-Match", "\"v1\""}}, http::Method::kGet, stored(nullptr)),
            ConditionalResult::kPreconditionFailed);
}

TEST(Conditionals, IfUnmodifiedSince) {
  EXPECT_EQ(eval({{"If-Unmodified-Since", date(seconds(-1))}}),
            ConditionalResult::kPreconditionFailed);
  EXPECT_EQ(eval({{"If-Unmodified-Since", date(seconds(0))}}), ConditionalResult::kNone);
  EXPECT_EQ(eval({{"If-Unmodified-Since", "garbage"}}), ConditionalResult::kNone);
}

TEST(Conditionals, IfMatchTakesPrecedenceOverIfUnmodifiedSince) {
  EXPECT_EQ(eval({{"If-Match", "\"v1\""}, {"If-Unmodified-Since", date(seconds(-100))}}),
            ConditionalResult::kNone);
}

TEST(Conditionals, IfModifiedSince) {
  EXPECT_EQ(eval({{"If-Modified-Since", date(seconds(0))}}), ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-Modified-Since", date(seconds(10))}}), ConditionalResult::kNotModified);
  EXPECT_EQ(eval({{"If-Modified-Since", date(seconds(-1))}}), ConditionalResult::kNone);
  EXPECT_EQ(eval({{"If-Modified-Since", "not a date"}}), ConditionalResult::kNone);
  // Only for GET and HEAD.
  EXPECT_EQ(eval({{"If-Modified-Since", date(seconds(10))}}, http::Method::kPost),
            ConditionalResult::kNone);
}

TEST(Conditionals, IfNoneMatchTakesPrecedenceOverIfModifiedSince) {
  EXPECT_EQ(eval({{"If-None-Match", "\"other\""}, {"If-Modified-Since", date(seconds(10))}}),
            ConditionalResult::kNone);
}

TEST(Conditionals, PreconditionFailureBeatsNotModified) {
  EXPECT_EQ(eval({{"If-Match", "\"nope\""}, {"If-None-Match", "\"v1\""}}),
            ConditionalResult::kPreconditionFailed);
}

TEST(Conditionals, OnlyForSuccessfulStoredResponses) {
  EXPECT_EQ(eval({{"If-None-Match", "\"v1\""}}, http::Method::kGet, stored(), 404),
            ConditionalResult::kNone);
  EXPECT_EQ(eval({{"If-Match", "\"nope\""}}, http::Method::kGet, stored(), 301),
            ConditionalResult::kNone);
}

TEST(EntityTags, Comparison) {
  EXPECT_TRUE(etag_strong_match("\"a\"", "\"a\""));
  EXPECT_FALSE(etag_strong_match("W/\"a\"", "\"a\""));
  EXPECT_FALSE(etag_strong_match("W/\"a\"", "W/\"a\""));
  EXPECT_TRUE(etag_weak_match("W/\"a\"", "\"a\""));
  EXPECT_TRUE(etag_weak_match("W/\"a\"", "W/\"a\""));
  EXPECT_FALSE(etag_weak_match("\"a\"", "\"b\""));
  EXPECT_FALSE(etag_weak_match("a", "a"));
  EXPECT_FALSE(etag_weak_match("\"a\" x", "\"a\""));
}

}  // namespace
}  // namespace edgefront::cache
