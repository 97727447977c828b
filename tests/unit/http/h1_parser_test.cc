#include "http/h1_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgefront::http {
namespace {

struct Parsed {
  H1Parser::Event last = H1Parser::Event::kNeedMore;
  std::string body;
  size_t consumed = 0;
};

// Feeds `input` in pieces of `step` bytes until the message completes or fails.
Parsed parse_all(H1Parser& p, const std::string& input, size_t step = 1 << 20) {
  Parsed out;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t n = std::min(step, input.size() - pos);
    size_t used = 0;
    out.last = p.feed({input.data() + pos, n}, used);
    for (auto span : p.body_spans()) out.body.append(span.data(), span.size());
    p.clear_body_spans();
    pos += used;
    out.consumed = pos;
    if (out.last == H1Parser::Event::kError || p.message_complete()) break;
    if (used == 0 && out.last != H1Parser::Event::kHeadComplete &&
        out.last != H1Parser::Event::kBody) {
      break;
    }
  }
  if (p.message_complete()) out.last = H1Parser::Event::kMessageComplete;
  return out;
}

TEST(H1Parser, SimpleGet) {
  H1Parser p(H1Parser::Kind::kRequest, {});
  auto r = parse_all(p, "GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Y:  z  \r\n\r\n");
  EXPECT_EQ(r.last, H1Parser::Event::kMessageComplete);
  EXPECT_EQ(p.request().method, Method::kGet);
  EXPECT_EQ(p.request().target, "/a/b?x=1");
  EXPECT_EQ(p.request().path(), "/a/b");
  EXPECT_EQ(p.request().query(), "x=1");
  EXPECT_EQ(p.request().headers.get("host"), "example.com");
  EXPECT_EQ(p.request().headers.get("X-Y"), "z");
  EXPECT_TRUE(p.request().keep_alive);
}

TEST(H1Parser, ByteByByteMatchesWhole) {
  const std::string req =
      "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  H1Parser a(H1Parser::Kind::kRequest, {});
  H1Parser b(H1Parser::Kind::kRequest, {});
  auto whole = parse_all(a, req);
  auto bytes = parse_all(b, req, 1);
  EXPECT_EQ(whole.last, H1Parser::Event::kMessageComplete);
  EXPECT_EQ(bytes.last, H1Parser::Event::kMessageComplete);
  EXPECT_EQ(whole.body, "hello world");
  EXPECT_EQ(bytes.body, "hello world");
  EXPECT_TRUE(b.request().chunked);
}

TEST(H1Parser, StopsAtMessageBoundaryForPipelining) {
  const std::string two = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
  H1Parser p(H1Parser::Kind::kRequest, {});
  auto first = parse_all(p, two);
  EXPECT_EQ(first.last, H1Parser::Event::kMessageComplete);
  EXPECT_EQ(p.request().target, "/1");
  EXPECT_EQ(first.consumed, two.size() / 2);
  p.next_message();
  auto second = parse_all(p, two.substr(first.consumed));
  EXPECT_EQ(second.last, H1Parser::Event::kMessageComplete);
  EXPECT_EQ(p.request().target, "/2");
}

TEST(H1Parser, ContentLengthZeroCompletesWithoutMoreInput) {
  H1Parser p(H1Parser::Kind::kRequest, {});
  auto r = parse_all(p, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.last, H1Parser::Event::kMessageComplete);
}

struct BadCase {
  const char* name;
  std::string input;
  int status;
};

class H1ParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(H1ParserRejects, WithStatus) {
  H1Parser p(H1Parser::Kind::kRequest, H1Parser::Limits{200, 5, 40});
  auto r = parse_all(p, GetParam().input);
  EXPECT_EQ(r.last, H1Parser::Event::kError) << GetParam().name;
  EXPECT_EQ(p.error_status(), GetParam().status) << GetParam().name << ": " << p.error_reason();
}

// The smuggling and robustness table from libraries.md, kept as regression tests because
// Debian ships an old llhttp.
INSTANTIATE_TEST_SUITE_P(
    Table, H1ParserRejects,
    ::testing::Values(
        BadCase{"cl_and_te",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: "
                "chunked\r\n\r\n0\r\n\r\n",
                400},
        BadCase{"duplicate_cl_differing",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
                400},
        BadCase{"duplicate_cl_same",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                400},
        BadCase{"obs_fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400},
        BadCase{"obs_fold_tab", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", 400},
        BadCase{"space_before_colon",
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\nhello", 400},
        BadCase{"cl_plus_sign", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\nhello",
                400},
        // Any coding but a single chunked: 501 (RFC 9112 6.1), never a body passed on half
        // decoded.
        BadCase{
            "te_chunked_not_last",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            501},
        BadCase{"te_xchunked",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501},
        BadCase{"te_gzip_chunked",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                501},
        BadCase{"te_chunked_gzip",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
                501},
        BadCase{"te_identity", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n",
                501},
        BadCase{"te_gzip_then_chunked_lines",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: "
                "chunked\r\n\r\n0\r\n\r\n",
                501},
        BadCase{
            "te_chunked_twice",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
            501},
        BadCase{"bare_lf", "GET / HTTP/1.1\nHost: h\n\n", 400},
        BadCase{"nul_in_value", std::string("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 33),
                400},
        BadCase{"space_in_name", "GET / HTTP/1.1\r\nHost: h\r\nX Y: z\r\n\r\n", 400},
        BadCase{"bad_chunk_size",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        BadCase{"chunk_size_overflow",
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                "chunked\r\n\r\nfffffffffffffffffff\r\n",
                400},
        BadCase{
            "chunk_data_no_crlf",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n",
            400},
        BadCase{"http_9_9", "GET / HTTP/9.9\r\nHost: h\r\n\r\n", 400},
        BadCase{
            "uri_too_long",
            "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: h\r\n\r\n",
            414},
        BadCase{"too_many_headers",
                "GET / HTTP/1.1\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\nF: 1\r\n\r\n", 431},
        BadCase{"header_too_large",
                "GET / HTTP/1.1\r\nHost: h\r\nX: "
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
                431}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(H1Parser, RequestCodingsSupported) {
  struct Case {
    std::vector<std::string> values;
    bool supported;
  };
  const Case cases[] = {
      {{}, true},
      {{"chunked"}, true},
      {{"Chunked"}, true},
      {{" chunked\t"}, true},
      {{"gzip, chunked"}, false},
      {{"chunked, gzip"}, false},
      {{"identity"}, false},
      {{"chunked,"}, false},
      {{""}, false},
      {{"gzip", "chunked"}, false},
      {{"chunked", "chunked"}, false},
  };
  for (const Case& c : cases) {
    HeaderList headers;
    headers.add("Host", "h");
    for (const std::string& v : c.values) headers.add("Transfer-Encoding", v);
    EXPECT_EQ(request_codings_supported(headers), c.supported)
        << ::testing::PrintToString(c.values);
  }
}

TEST(H1Parser, ChunkedRequestStillParses) {
  H1Parser p(H1Parser::Kind::kRequest, {});
  auto r = parse_all(p,
                     "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(r.last, H1Parser::Event::kMessageComplete) << p.error_reason();
  EXPECT_EQ(r.body, "hello");
}

TEST(H1Parser, ObsFoldAcrossReads) {
  H1Parser p(H1Parser::Kind::kRequest, {});
  auto r = parse_all(p, "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 1);
  EXPECT_EQ(r.last, H1Parser::Event::kError);
  EXPECT_EQ(p.error_status(), 400);
}

TEST(H1Parser, BodyMayContainLfSpace) {
  H1Parser p(H1Parser::Kind::kRequest, {});
  auto r = parse_all(p, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\na\n b", 3);
  EXPECT_EQ(r.last, H1Parser::Event::kMessageComplete);
  EXPECT_EQ(r.body, "a\n b");
}

TEST(H1Parser, ResponseToHeadHasNoBody) {
  H1Parser p(H1Parser::Kind::kResponse, {});
  p.set_request_method(Method::kHead);
  auto r = parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_EQ(r.last, H1Parser::Event::kMessageComplete);
  EXPECT_EQ(p.response().status, 200);
  EXPECT_EQ(r.body, "");
}

TEST(H1Parser, CloseDelimitedResponseCompletesAtEof) {
  H1Parser p(H1Parser::Kind::kResponse, {});
  auto r = parse_all(p, "HTTP/1.1 200 OK\r\n\r\nabc");
  EXPECT_EQ(r.body, "abc");
  EXPECT_FALSE(p.message_complete());
  EXPECT_TRUE(p.body_until_close());
  EXPECT_EQ(p.finish(), H1Parser::Event::kMessageComplete);
}

TEST(H1Parser, TruncatedChunkedResponseIsAnErrorAtEof) {
  H1Parser p(H1Parser::Kind::kResponse, {});
  auto r = parse_all(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
  EXPECT_EQ(r.body, "ab");
  EXPECT_EQ(p.finish(), H1Parser::Event::kError);
}

TEST(H1Parser, TruncatedContentLengthResponseIsAnErrorAtEof) {
  H1Parser p(H1Parser::Kind::kResponse, {});
  parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_EQ(p.finish(), H1Parser::Event::kError);
}

TEST(H1Parser, Http10DefaultsToClose) {
  H1Parser p(H1Parser::Kind::kRequest, {});
  parse_all(p, "GET / HTTP/1.0\r\n\r\n");
  EXPECT_FALSE(p.request().keep_alive);
  EXPECT_FALSE(p.request().version.at_least_1_1());
}

}  // namespace
}  // namespace edgefront::http
