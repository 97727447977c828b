#include "cache/cache_key.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <set>

namespace edgefront::cache {
namespace {

using Behavior = config::KeyValues::Behavior;

http::RequestHead request(std::string target,
                          std::initializer_list<http::HeaderList::Field> headers = {}) {
  http::RequestHead r;
  r.method = http::Method::kGet;
  r.target = std::move(target);
  for (const auto& [n, v] : headers) r.headers.add(n, v);
  return r;
}

config::CachePolicy none() { return config::CachePolicy{}; }

config::CachePolicy queries(Behavior b, std::vector<std::string> names = {}) {
  config::CachePolicy p;
  p.query_strings.behavior = b;
  p.query_strings.names = std::move(names);
  return p;
}

std::string key(const config::CachePolicy& p, const http::RequestHead& r,
                std::string_view dist = "d1") {
  return build_cache_key(p, dist, r).primary;
}

TEST(CacheKey, HashIsXxh3OfPrimary) {
  CacheKey k = build_cache_key(none(), "d1", request("/a"));
  EXPECT_EQ(k.hash, XXH3_64bits(k.primary.data(), k.primary.size()));
}

TEST(CacheKey, DefaultIsDistributionAndPathOnly) {
  config::CachePolicy p = none();
  EXPECT_EQ(key(p, request("/a?x=1", {{"Cookie", "a=b"}, {"Accept-Language", "fr"}})),
            key(p, request("/a")));
  EXPECT_NE(key(p, request("/a")), key(p, request("/b")));
  EXPECT_NE(key(p, request("/a"), "d1"), key(p, request("/a"), "d2"));
  EXPECT_NE(key(p, request("/a")), key(p, request("/A")));  // paths are case-sensitive
}

TEST(CacheKey, MethodOnlyForOptions) {
  http::RequestHead head = request("/a");
  head.method = http::Method::kHead;
  http::RequestHead options = request("/a");
  options.method = http::Method::kOptions;
  EXPECT_EQ(key(none(), head), key(none(), request("/a")));
  EXPECT_NE(key(none(), options), key(none(), request("/a")));
}

TEST(CacheKey, QueryStringAllKeepsOrderAndCase) {
  config::CachePolicy p = queries(Behavior::kAll);
  EXPECT_NE(key(p, request("/a?x=1&y=2")), key(p, request("/a?y=2&x=1")));
  EXPECT_NE(key(p, request("/a?x=1")), key(p, request("/a?X=1")));
  EXPECT_NE(key(p, request("/a?x=a")), key(p, request("/a?x=A")));
  EXPECT_NE(key(p, request("/a?x=1")), key(p, request("/a")));
  EXPECT_EQ(key(p, request("/a?x=1")), key(p, request("/a?x=1")));
  EXPECT_NE(key(p, request("/a?x=1&&y")), key(p, request("/a?x=1&y")));
}

TEST(CacheKey, OnlyAmpersandSeparates) {
  config::CachePolicy p = queries(Behavior::kWhitelist, {"a"});
  // ";" is part of a's value, so b is not a separate parameter.
  EXPECT_NE(key(p, request("/p?a=1;b=2")), key(p, request("/p?a=1")));
  EXPECT_EQ(key(p, request("/p?a=1&b=2")), key(p, request("/p?a=1")));
}

TEST(CacheKey, QueryStringWhitelist) {
  config::CachePolicy p = queries(Behavior::kWhitelist, {"v", "lang"});
  EXPECT_EQ(key(p, request("/a?v=1&utm=x")), key(p, request("/a?v=1&utm=y")));
  EXPECT_NE(key(p, request("/a?v=1")), key(p, request("/a?v=2")));
  EXPECT_NE(key(p, request("/a?v=1&lang=en")), key(p, request("/a?lang=en&v=1")));
  EXPECT_EQ(key(p, request("/a?V=1")), key(p, request("/a")));  // names case-sensitive
}

TEST(CacheKey, QueryStringAllExcept) {
  config::CachePolicy p = queries(Behavior::kAllExcept, {"utm"});
  EXPECT_EQ(key(p, request("/a?v=1&utm=x")), key(p, request("/a?v=1&utm=y")));
  EXPECT_EQ(key(p, request("/a?v=1&utm=x")), key(p, request("/a?v=1")));
  EXPECT_NE(key(p, request("/a?v=1")), key(p, request("/a?v=2")));
}

TEST(CacheKey, QueryStringNone) {
  config::CachePolicy p = queries(Behavior::kNone);
  EXPECT_EQ(key(p, request("/a?v=1")), key(p, request("/a?v=2")));
}

TEST(CacheKey, HeaderNamesCaseInsensitiveValuesCaseSensitive) {
  config::CachePolicy p;
  p.headers.behavior = Behavior::kWhitelist;
  p.headers.names = {"X-Device", "origin"};
  EXPECT_EQ(key(p, request("/a", {{"x-device", "m"}})), key(p, request("/a", {{"X-DEVICE", "m"}})));
  EXPECT_NE(key(p, request("/a", {{"X-Device", "m"}})), key(p, request("/a", {{"X-Device", "M"}})));
  EXPECT_NE(key(p, request("/a", {{"X-Device", ""}})), key(p, request("/a")));  // empty vs absent
  EXPECT_EQ(key(p, request("/a", {{"X-Other", "1"}})), key(p, request("/a")));
  // Config order of names does not matter.
  config::CachePolicy q = p;
  q.headers.names = {"Origin", "x-device"};
  http::RequestHead r = request("/a", {{"Origin", "o"}, {"X-Device", "m"}});
  EXPECT_EQ(key(p, r), key(q, r));
}

TEST(CacheKey, CookiesSortedByName) {
  config::CachePolicy p;
  p.cookies.behavior = Behavior::kAll;
  EXPECT_EQ(key(p, request("/a", {{"Cookie", "b=2; a=1"}})),
            key(p, request("/a", {{"Cookie", "a=1; b=2"}})));
  EXPECT_EQ(key(p, request("/a", {{"Cookie", "b=2"}, {"Cookie", "a=1"}})),
            key(p, request("/a", {{"Cookie", "a=1;b=2"}})));
  EXPECT_NE(key(p, request("/a", {{"Cookie", "a=1"}})), key(p, request("/a", {{"Cookie", "A=1"}})));
  EXPECT_NE(key(p, request("/a", {{"Cookie", "a=x"}})), key(p, request("/a", {{"Cookie", "a=X"}})));
}

TEST(CacheKey, CookieWhitelistWithWildcardsAndAllExcept) {
  config::CachePolicy p;
  p.cookies.behavior = Behavior::kWhitelist;
  p.cookies.names = {"session", "pref-*", "id?"};
  EXPECT_EQ(key(p, request("/a", {{"Cookie", "session=1; tracking=2"}})),
            key(p, request("/a", {{"Cookie", "session=1"}})));
  EXPECT_NE(key(p, request("/a", {{"Cookie", "pref-lang=en"}})), key(p, request("/a")));
  EXPECT_NE(key(p, request("/a", {{"Cookie", "id1=a"}})), key(p, request("/a")));
  EXPECT_EQ(key(p, request("/a", {{"Cookie", "id12=a"}})), key(p, request("/a")));
  p.cookies.behavior = Behavior::kAllExcept;
  p.cookies.names = {"tracking"};
  EXPECT_EQ(key(p, request("/a", {{"Cookie", "session=1; tracking=2"}})),
            key(p, request("/a", {{"Cookie", "session=1"}})));
}

TEST(CacheKey, EncodingIsUnambiguous) {
  config::CachePolicy p = queries(Behavior::kAll);
  p.headers.behavior = Behavior::kWhitelist;
  p.headers.names = {"a", "b"};
  p.cookies.behavior = Behavior::kAll;
  std::set<std::string> keys;
  std::vector<http::RequestHead> requests = {
      request("/a"),
      request("/a?"),
      request("/a", {{"A", "1"}}),
      request("/a", {{"B", "1"}}),
      request("/a", {{"A", "1:b"}}),
      request("/a", {{"A", "1"}, {"B", ""}}),
      request("/a", {{"Cookie", "x=1"}}),
      request("/a", {{"Cookie", "x=1;y"}}),
      request("/a", {{"Cookie", "x"}}),
      request("/a?1:"),
      request("/a1:"),
  };
  for (const auto& r : requests) keys.insert(key(p, r));
  // "/a" and "/a?" are the same request (empty query).
  EXPECT_EQ(keys.size(), requests.size() - 1);
  // Distribution and path boundaries cannot be shifted.
  EXPECT_NE(key(none(), request("/b"), "d1/"), key(none(), request("/b"), "d1"));
}

struct AcceptEncodingCase {
  bool gzip, br;
  const char* header;  // nullptr: absent
  const char* expected;
};

TEST(NormalizedAcceptEncoding, Table) {
  for (const AcceptEncodingCase& c : {
           AcceptEncodingCase{true, true, "gzip, deflate, br", "br,gzip"},
           AcceptEncodingCase{true, true, "br;q=1.0, gzip;q=0.8", "br,gzip"},
           AcceptEncodingCase{true, true, "gzip", "gzip"},
           AcceptEncodingCase{true, true, "br", "br"},
           AcceptEncodingCase{true, true, "deflate", ""},
           AcceptEncodingCase{true, true, "*", ""},
           AcceptEncodingCase{true, true, nullptr, ""},
           AcceptEncodingCase{true, true, "GZIP, BR", "br,gzip"},
           AcceptEncodingCase{true, true, "gzip;q=0, br", "br"},
           AcceptEncodingCase{true, true, "gzip;q=0.000", ""},
           AcceptEncodingCase{true, false, "gzip, br", "gzip"},
           AcceptEncodingCase{false, true, "gzip, br", "br"},
           AcceptEncodingCase{false, false, "gzip, br", ""},
           AcceptEncodingCase{true, true, "x-gzip", ""},
       }) {
    config::CachePolicy p;
    p.accept_encoding_gzip = c.gzip;
    p.accept_encoding_brotli = c.br;
    http::RequestHead r = request("/a");
    if (c.header) r.headers.add("Accept-Encoding", c.header);
    EXPECT_EQ(normalized_accept_encoding(p, r), c.expected)
        << c.gzip << c.br << (c.header ? c.header : "(none)");
  }
}

TEST(NormalizedAcceptEncoding, Http10NeverCompressed) {
  config::CachePolicy p;
  p.accept_encoding_gzip = p.accept_encoding_brotli = true;
  http::RequestHead r = request("/a", {{"Accept-Encoding", "gzip"}});
  r.version = http::Version{1, 0};
  EXPECT_EQ(normalized_accept_encoding(p, r), "");
}

TEST(CacheKey, AcceptEncodingInKey) {
  config::CachePolicy p;
  p.accept_encoding_gzip = p.accept_encoding_brotli = true;
  EXPECT_EQ(key(p, request("/a", {{"Accept-Encoding", "gzip, deflate, br"}})),
            key(p, request("/a", {{"Accept-Encoding", "br, gzip"}})));
  EXPECT_NE(key(p, request("/a", {{"Accept-Encoding", "gzip"}})),
            key(p, request("/a", {{"Accept-Encoding", "br"}})));
  EXPECT_EQ(key(p, request("/a", {{"Accept-Encoding", "deflate"}})), key(p, request("/a")));
  // Disabled in the policy: not in the key.
  EXPECT_EQ(key(none(), request("/a", {{"Accept-Encoding", "gzip"}})), key(none(), request("/a")));
}

TEST(VarySecondaryKey, NoVaryIsEmpty) {
  http::HeaderList resp;
  EXPECT_EQ(vary_secondary_key(resp, request("/a")), "");
}

TEST(VarySecondaryKey, StarNeverMatches) {
  http::HeaderList resp;
  resp.add("Vary", "Accept-Language, *");
  EXPECT_FALSE(vary_secondary_key(resp, request("/a")));
}

TEST(VarySecondaryKey, SelectsNamedHeaders) {
  http::HeaderList resp;
  resp.add("Vary", "Accept-Language");
  resp.add("vary", "x-device, accept-language");
  auto k = [&](std::initializer_list<http::HeaderList::Field> h) {
    return *vary_secondary_key(resp, request("/a", h));
  };
  EXPECT_EQ(k({{"Accept-Language", "fr"}, {"X-Other", "1"}}), k({{"accept-language", "fr"}}));
  EXPECT_NE(k({{"Accept-Language", "fr"}}), k({{"Accept-Language", "en"}}));
  EXPECT_NE(k({{"Accept-Language", ""}}), k({}));
  EXPECT_EQ(k({{"Accept-Language", " fr "}}), k({{"Accept-Language", "fr"}}));
  EXPECT_NE(k({{"X-Device", "m"}}), k({}));
}

// RFC 9111 4.1: selecting fields match after combining lines and dropping the whitespace a
// list allows (cache-tests `vary-normalise-combine`, `vary-normalise-space`).
TEST(VarySecondaryKey, ListWhitespaceAndLinesDoNotMatter) {
  http::HeaderList resp;
  resp.add("Vary", "Foo");
  auto k = [&](std::initializer_list<http::HeaderList::Field> h) {
    return *vary_secondary_key(resp, request("/a", h));
  };
  struct Row {
    std::initializer_list<http::HeaderList::Field> a, b;
    bool same;
  };
  const Row rows[] = {
      {{{"Foo", "1,2"}}, {{"Foo", " 1, 2 "}}, true},
      {{{"Foo", "1, 2"}}, {{"Foo", "1"}, {"Foo", "2"}}, true},
      {{{"Foo", "1 ,\t2"}}, {{"Foo", "1,2"}}, true},
      {{{"Foo", "1 2"}}, {{"Foo", "12"}}, false},            // inside a member: kept
      {{{"Foo", "\"a, b\""}}, {{"Foo", "\"a,b\""}}, false},  // inside quotes: kept
      {{{"Foo", "\"a\\\", b\",c"}}, {{"Foo", "\"a\\\", b\", c"}}, true},
      {{{"Foo", "1,2"}}, {{"Foo", "2,1"}}, false},  // order is meaning
  };
  for (const Row& r : rows) {
    EXPECT_EQ(k(r.a) == k(r.b), r.same) << r.a.begin()->second << " | " << r.b.begin()->second;
  }
}

// Values defined as case-insensitive select alike in any case (cache-tests
// `vary-normalise-lang-case`); others keep their case.
TEST(VarySecondaryKey, CaseInsensitiveFieldsIgnoreCase) {
  http::HeaderList resp;
  resp.add("Vary", "Accept-Language, Accept-Encoding, Foo");
  auto k = [&](std::initializer_list<http::HeaderList::Field> h) {
    return *vary_secondary_key(resp, request("/a", h));
  };
  EXPECT_EQ(k({{"Accept-Language", "eN, De"}}), k({{"Accept-Language", "en,de"}}));
  EXPECT_EQ(k({{"Accept-Language", " en ,   de"}}), k({{"Accept-Language", "en, de"}}));
  EXPECT_NE(k({{"Accept-Language", "de, en"}}), k({{"Accept-Language", "en, de"}}));
  EXPECT_EQ(k({{"Accept-Encoding", "GZIP;Q=1"}}), k({{"Accept-Encoding", "gzip;q=1"}}));
  EXPECT_NE(k({{"Foo", "A"}}), k({{"Foo", "a"}}));
}

}  // namespace
}  // namespace edgefront::cache
