// HTTP/2 request header blocks -> RequestHead: the RFC 9113 8.3 rules and the limits.
#include "http/h2_request.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "http/h2_preface.h"

namespace edgefront::http {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

const Fields kGet = {
    {":method", "GET"}, {":scheme", "https"}, {":path", "/a?b=1"}, {":authority", "example.com"}};

H2RequestBuilder build(const Fields& fields, bool has_body = false, size_t max_bytes = 20480,
                       size_t max_count = 100) {
  H2RequestBuilder b(max_bytes, max_count);
  for (const auto& [n, v] : fields) b.add(n, v);
  b.finish(has_body);
  return b;
}

Fields with(Fields base, const Fields& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

TEST(H2Request, PseudoHeadersBecomeTheHead) {
  H2RequestBuilder b = build(with(kGet, {{"accept", "*/*"}}));
  ASSERT_EQ(b.status(), 0) << b.reason();
  RequestHead& h = b.head();
  EXPECT_EQ(h.method, Method::kGet);
  EXPECT_EQ(h.target, "/a?b=1");
  EXPECT_EQ(h.path(), "/a");
  EXPECT_EQ(h.headers.get("Host"), "example.com");
  EXPECT_EQ(h.headers.get("Accept"), "*/*");
  EXPECT_EQ(h.version, (Version{2, 0}));
  EXPECT_FALSE(h.has_body());
}

TEST(H2Request, BodyWithoutLengthIsMarkedAsStreamed) {
  Fields post = {{":method", "POST"}, {":scheme", "https"}, {":path", "/up"}, {":authority", "x"}};
  H2RequestBuilder b = build(post, /*has_body=*/true);
  ASSERT_EQ(b.status(), 0);
  EXPECT_TRUE(b.head().chunked);
  EXPECT_TRUE(b.head().has_body());
  H2RequestBuilder sized = build(with(post, {{"content-length", "5"}}), true);
  ASSERT_EQ(sized.status(), 0);
  EXPECT_FALSE(sized.head().chunked);
  EXPECT_EQ(sized.head().content_length, 5u);
}

TEST(H2Request, HostAloneIsAcceptedAndAuthorityWins) {
  H2RequestBuilder alone =
      build({{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.test"}});
  ASSERT_EQ(alone.status(), 0) << alone.reason();
  EXPECT_EQ(alone.head().headers.get("Host"), "h.test");
  H2RequestBuilder both = build(with(kGet, {{"host", "other.test"}}));
  ASSERT_EQ(both.status(), 0);
  EXPECT_EQ(both.head().headers.count("Host"), 1u);
  EXPECT_EQ(both.head().headers.get("Host"), "example.com");
}

TEST(H2Request, MalformedBlocksAreRejected) {
  struct Case {
    Fields fields;
    int status;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {{{":method", "GET"}, {":path", "/"}, {":authority", "x"}},
       400,
       "missing :method, :scheme or :path"},
      {with(kGet, {{"accept", "x"}, {":method", "GET"}}), 400,
       "pseudo-header after regular fields"},
      {{{":method", "GET"}, {":method", "GET"}}, 400, "duplicate pseudo-header :method"},
      {with({{":status", "200"}}, kGet), 400, "unknown pseudo-header :status"},
      {with(kGet, {{"connection", "close"}}), 400, "connection-specific header field"},
      {with(kGet, {{"transfer-encoding", "chunked"}}), 400, "connection-specific header field"},
      {with(kGet, {{"te", "gzip"}}), 400, "TE other than trailers"},
      {with(kGet, {{"Accept", "x"}}), 400, "upper-case header name"},
      {with(kGet, {{"content-length", "x5"}}), 400, "bad content-length"},
      {with(kGet, {{"content-length", "1"}, {"content-length", "2"}}), 400,
       "conflicting content-length"},
      {with(kGet, {{"content-length", "3"}}), 400, "content-length without a body"},
      {{{":method", "GET"}, {":scheme", "http"}, {":path", "*"}, {":authority", "x"}},
       400,
       "request target must be a path"},
      {{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}}, 400, "missing :authority"},
      {{{":method", "CONNECT"}, {":authority", "x:443"}}, 405, "CONNECT is not supported"},
  };
  for (const Case& c : cases) {
    H2RequestBuilder b = build(c.fields);
    EXPECT_EQ(b.status(), c.status) << c.reason;
    EXPECT_EQ(b.reason(), c.reason);
  }
  // "te: trailers" is the one allowed TE.
  EXPECT_EQ(build(with(kGet, {{"te", "trailers"}})).status(), 0);
}

TEST(H2Request, LimitsGive431AndKeepCountingBytes) {
  Fields many = kGet;
  for (int i = 0; i < 10; ++i) many.push_back({"x-h" + std::to_string(i), "v"});
  H2RequestBuilder counted = build(many, false, 20480, 8);
  EXPECT_EQ(counted.status(), 431);
  EXPECT_EQ(counted.reason(), "too many request header fields");

  Fields big = with(kGet, {{"x-big", std::string(300, 'b')}, {"x-more", std::string(300, 'm')}});
  H2RequestBuilder sized = build(big, false, 400, 100);
  EXPECT_EQ(sized.status(), 431);
  EXPECT_EQ(sized.reason(), "request header fields too large");
  // Bytes past the failure are still counted: the connection can spot a flood.
  EXPECT_GT(sized.header_bytes(), 600u);
}

// Which codec a plain connection's first bytes call for.
TEST(H2Preface, GuessesTheProtocolFromTheFirstLine) {
  struct Row {
    const char* start;
    Protocol expected;
  };
  const Row rows[] = {
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Protocol::kHttp2},
      {"PRI * HTTP/2.0\r\n", Protocol::kUndecided},
      {"PRI", Protocol::kUndecided},
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", Protocol::kHttp1},
      {"GET / HTTP/1.0\n", Protocol::kHttp1},    // bare LF: the HTTP/1.1 parser refuses it
      {"GET / HTTP/2.0\r\n", Protocol::kHttp1},  // HTTP-shaped: a 505 / 400 from HTTP/1.1
      {"PRI * HTTP/1.1\r\n", Protocol::kHttp1},
      {"GET /a-long-target-split", Protocol::kHttp1},  // no line end yet
      {"", Protocol::kUndecided},
      {"INVALID CONNECTION PREFACE\r\n\r\n", Protocol::kHttp2},  // h2spec 3.5/2
      {"GET /\r\n", Protocol::kHttp2},                           // HTTP/0.9: no version
      {"\r\n", Protocol::kHttp2},
      {"GET / XHTTP/1.1\r\n", Protocol::kHttp2},
      {"GET / HTTP/1.x\r\n", Protocol::kHttp2},
      {"HTTP/1.1\r\n", Protocol::kHttp2},
  };
  for (const Row& r : rows) EXPECT_EQ(guess_protocol(r.start), r.expected) << r.start;
}

TEST(H2Preface, MatchesThePrefaceByPrefix) {
  EXPECT_EQ(match_h2_preface(kH2Preface), PrefaceMatch::kYes);
  EXPECT_EQ(match_h2_preface(std::string(kH2Preface) + "more"), PrefaceMatch::kYes);
  EXPECT_EQ(match_h2_preface("PRI * HT"), PrefaceMatch::kPartial);
  EXPECT_EQ(match_h2_preface("P"), PrefaceMatch::kPartial);
  EXPECT_EQ(match_h2_preface("GET / HTTP/1.1\r\n"), PrefaceMatch::kNo);
  EXPECT_EQ(match_h2_preface("PRI * HTTP/1.1\r\n"), PrefaceMatch::kNo);
}

}  // namespace
}  // namespace edgefront::http
