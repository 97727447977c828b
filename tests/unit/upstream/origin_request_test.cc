#include "upstream/origin_request.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>
#include <utility>

#include "base/strings.h"
#include "upstream/unkeyed_headers.h"

namespace edgefront::upstream {
namespace {

using Headers = std::initializer_list<std::pair<const char*, const char*>>;

http::RequestHead viewer(std::string target, Headers headers,
                         http::Method method = http::Method::kGet) {
  http::RequestHead r;
  r.method = method;
  r.method_text = std::string(http::method_name(method));
  r.target = std::move(target);
  for (const auto& [n, v] : headers) r.headers.add(n, v);
  return r;
}

config::Origin origin(std::string domain = "origin.example.com", std::string path = "") {
  config::Origin o;
  o.id = "o";
  o.domain_name = std::move(domain);
  o.origin_path = std::move(path);
  return o;
}

config::Forwarding all() { return config::Forwarding{}; }  // headers kAll, cookies kAll

ViewerInfo peer(std::string ip = "192.0.2.9") { return ViewerInfo{std::move(ip), 5555, false}; }

http::RequestHead build(const http::RequestHead& v, const config::Forwarding& f = all(),
                        const config::Origin& o = origin(), std::string_view path = "") {
  return build_origin_request(v, path.empty() ? v.path() : path, o, f, peer(), "edgefront");
}

TEST(OriginRequest, TargetMethodVersion) {
  http::RequestHead v = viewer("/a/b?x=1&y=2", {{"Host", "www.example.com"}}, http::Method::kPost);
  v.version = http::Version{1, 0};
  v.content_length = 12;
  v.keep_alive = false;
  http::RequestHead o = build(v, all(), origin("o.test", "/prefix"));
  EXPECT_EQ(o.target, "/prefix/a/b?x=1&y=2");
  EXPECT_EQ(o.method, http::Method::kPost);
  EXPECT_EQ(o.method_text, "POST");
  EXPECT_EQ(o.version, (http::Version{1, 1}));
  EXPECT_TRUE(o.keep_alive);
  EXPECT_EQ(o.content_length, std::optional<uint64_t>(12));
  EXPECT_FALSE(o.chunked);
}

TEST(OriginRequest, OtherMethodTextKept) {
  http::RequestHead v = viewer("/", {}, http::Method::kOther);
  v.method_text = "PROPFIND";
  http::RequestHead o = build(v);
  EXPECT_EQ(o.method, http::Method::kOther);
  EXPECT_EQ(o.method_text, "PROPFIND");
}

TEST(OriginRequest, QueryString) {
  config::Forwarding no_qs;
  no_qs.query_string = false;
  EXPECT_EQ(build(viewer("/p?a=1", {}), no_qs).target, "/p");
  EXPECT_EQ(build(viewer("/p?", {})).target, "/p");
  EXPECT_EQ(build(viewer("/p", {})).target, "/p");
  // The route's origin path (DefaultRootObject) replaces the viewer's path.
  http::RequestHead v = viewer("/?q=1", {});
  EXPECT_EQ(build_origin_request(v, "/index.html", origin("o", "/base"), all(), peer(), "e").target,
            "/base/index.html?q=1");
}

TEST(OriginRequest, HopByHopAndConnectionListedRemoved) {
  http::RequestHead v = viewer("/", {{"Host", "h"},
                                     {"Connection", "keep-alive, X-Secret"},
                                     {"Connection", "Upgrade"},
                                     {"Keep-Alive", "timeout=5"},
                                     {"X-Secret", "s"},
                                     {"TE", "trailers"},
                                     {"Trailer", "x"},
                                     {"Upgrade", "websocket"},
                                     {"Proxy-Connection", "keep-alive"},
                                     {"Proxy-Authorization", "Basic x"},
                                     {"Transfer-Encoding", "chunked"},
                                     {"Content-Length", "5"},
                                     {"Expect", "100-continue"},
                                     {"X-Real-IP", "1.2.3.4"},
                                     {"X-Forwarded-Proto", "https"},
                                     {"X-Edge-Location", "x"},
                                     {"X-Kept", "yes"}});
  v.chunked = true;
  http::RequestHead o = build(v);
  for (const char* name :
       {"Connection", "Keep-Alive", "X-Secret", "TE", "Trailer", "Upgrade", "Proxy-Connection",
        "Proxy-Authorization", "Transfer-Encoding", "Content-Length", "Expect", "X-Real-IP",
        "X-Forwarded-Proto", "X-Edge-Location"}) {
    EXPECT_FALSE(o.headers.contains(name)) << name;
  }
  EXPECT_EQ(o.headers.get("X-Kept"), "yes");
  EXPECT_TRUE(o.chunked);
  EXPECT_FALSE(o.headers.contains("X-Forwarded-Proto"));  // not re-added
}

TEST(OriginRequest, HostIsOriginDomain) {
  http::RequestHead o = build(viewer("/", {{"Host", "www.example.com:8080"}}));
  EXPECT_EQ(o.headers.get("Host"), "origin.example.com");
  EXPECT_EQ(o.headers.count("Host"), 1u);

  // No Host from the viewer (HTTP/1.0): added, first.
  http::RequestHead o2 = build(viewer("/", {{"X-A", "1"}}));
  ASSERT_FALSE(o2.headers.empty());
  EXPECT_EQ(o2.headers.fields().front().first, "Host");
  EXPECT_EQ(o2.headers.fields().front().second, "origin.example.com");
}

TEST(OriginRequest, ForwardViewerHost) {
  config::Origin org = origin();
  org.forward_viewer_host = true;
  http::RequestHead o = build(viewer("/", {{"Host", "www.example.com"}}), all(), org);
  EXPECT_EQ(o.headers.get("Host"), "www.example.com");
  // Nothing to forward: the origin's name.
  EXPECT_EQ(build(viewer("/", {}), all(), org).headers.get("Host"), "origin.example.com");

  config::Forwarding wl;
  wl.headers = config::Forwarding::Headers::kWhitelist;
  wl.header_names = {"host"};
  EXPECT_EQ(build(viewer("/", {{"Host", "www.example.com"}}), wl).headers.get("Host"),
            "www.example.com");
}

TEST(OriginRequest, XForwardedFor) {
  EXPECT_EQ(build(viewer("/", {})).headers.get("X-Forwarded-For"), "192.0.2.9");
  EXPECT_EQ(build(viewer("/", {{"X-Forwarded-For", "203.0.113.1"}})).headers.get("X-Forwarded-For"),
            "203.0.113.1, 192.0.2.9");
  http::RequestHead o =
      build(viewer("/", {{"X-Forwarded-For", "203.0.113.1"}, {"x-forwarded-for", "203.0.113.2"}}));
  EXPECT_EQ(o.headers.count("X-Forwarded-For"), 1u);
  EXPECT_EQ(o.headers.get("X-Forwarded-For"), "203.0.113.1, 203.0.113.2, 192.0.2.9");
}

TEST(OriginRequest, Via) {
  EXPECT_EQ(build(viewer("/", {})).headers.get("Via"), "1.1 edgefront");
  http::RequestHead o = build(viewer("/", {{"Via", "1.0 proxy1"}, {"Via", "1.1 proxy2"}}));
  EXPECT_EQ(o.headers.count("Via"), 1u);
  EXPECT_EQ(o.headers.get("Via"), "1.0 proxy1, 1.1 proxy2, 1.1 edgefront");
}

http::RequestHead browser_request() {
  return viewer("/", {{"Host", "h"},
                      {"Accept", "text/html"},
                      {"Accept-Charset", "utf-8"},
                      {"Accept-Language", "en"},
                      {"Referer", "https://r/"},
                      {"Authorization", "Bearer t"},
                      {"X-HTTP-Method-Override", "DELETE"},
                      {"User-Agent", "Mozilla/5.0"},
                      {"Accept-Encoding", "gzip"},
                      {"If-None-Match", "\"x\""},
                      {"Range", "bytes=0-1"},
                      {"Origin", "https://o"}});
}

TEST(OriginRequest, HeadersAllKeepsEverything) {
  http::RequestHead o = build(browser_request());
  for (const char* name :
       {"Accept", "Accept-Charset", "Accept-Language", "Referer", "Authorization",
        "X-HTTP-Method-Override", "Accept-Encoding", "If-None-Match", "Range", "Origin"}) {
    EXPECT_TRUE(o.headers.contains(name)) << name;
  }
  EXPECT_EQ(o.headers.get("User-Agent"), "Mozilla/5.0");
}

TEST(OriginRequest, HeadersDefaultStrips) {
  config::Forwarding f;
  f.headers = config::Forwarding::Headers::kDefault;
  http::RequestHead o = build(browser_request(), f);
  for (const char* name : {"Accept", "Accept-Charset", "Accept-Language", "Referer",
                           "Authorization", "X-HTTP-Method-Override"}) {
    EXPECT_FALSE(o.headers.contains(name)) << name;
  }
  for (const char* name : {"Accept-Encoding", "If-None-Match", "Range", "Origin"}) {
    EXPECT_TRUE(o.headers.contains(name)) << name;
  }
  EXPECT_EQ(o.headers.get("User-Agent"), "Amazon CloudFront");
  EXPECT_EQ(o.headers.count("User-Agent"), 1u);
  // Added when the viewer sent none.
  EXPECT_EQ(build(viewer("/", {}), f).headers.get("User-Agent"), "Amazon CloudFront");
}

TEST(OriginRequest, HeadersWhitelist) {
  config::Forwarding f;
  f.headers = config::Forwarding::Headers::kWhitelist;
  f.header_names = {"accept-language", "AUTHORIZATION", "User-Agent"};
  http::RequestHead o = build(browser_request(), f);
  EXPECT_EQ(o.headers.get("Accept-Language"), "en");
  EXPECT_EQ(o.headers.get("Authorization"), "Bearer t");
  EXPECT_EQ(o.headers.get("User-Agent"), "Mozilla/5.0");
  for (const char* name : {"Accept", "Accept-Charset", "Referer", "X-HTTP-Method-Override"}) {
    EXPECT_FALSE(o.headers.contains(name)) << name;
  }
  // Whitelisted User-Agent the viewer did not send: none is sent.
  EXPECT_FALSE(build(viewer("/", {}), f).headers.contains("User-Agent"));

  f.header_names = {"Accept"};
  http::RequestHead o2 = build(browser_request(), f);
  EXPECT_EQ(o2.headers.get("Accept"), "text/html");
  EXPECT_EQ(o2.headers.get("User-Agent"), "Amazon CloudFront");

  f.header_names = {"*"};  // legacy "all headers"
  EXPECT_EQ(build(browser_request(), f).headers.get("User-Agent"), "Mozilla/5.0");
}

TEST(OriginRequest, CookiesNone) {
  config::Forwarding f;
  f.cookies = config::Forwarding::Cookies::kNone;
  EXPECT_FALSE(build(viewer("/", {{"Cookie", "a=1"}}), f).headers.contains("Cookie"));
}

TEST(OriginRequest, CookiesAllCombinesFields) {
  EXPECT_EQ(build(viewer("/", {{"Cookie", "a=1; b=2"}})).headers.get("Cookie"), "a=1; b=2");
  http::RequestHead o = build(viewer("/", {{"Cookie", "a=1"}, {"Cookie", "b=2"}}));
  EXPECT_EQ(o.headers.count("Cookie"), 1u);
  EXPECT_EQ(o.headers.get("Cookie"), "a=1; b=2");
}

TEST(OriginRequest, CookiesWhitelist) {
  config::Forwarding f;
  f.cookies = config::Forwarding::Cookies::kWhitelist;
  f.cookie_names = {"session", "pref_*", "l?ng"};
  http::RequestHead o = build(viewer("/", {{"Cookie", "session=abc; tracking=x; pref_theme=dark"},
                                           {"Cookie", "Session=upper; lang=en; lng=no; pref_=e"}}),
                              f);
  EXPECT_EQ(o.headers.count("Cookie"), 1u);
  EXPECT_EQ(o.headers.get("Cookie"), "session=abc; pref_theme=dark; lang=en; pref_=e");

  http::RequestHead none = build(viewer("/", {{"Cookie", "tracking=1; other=2"}}), f);
  EXPECT_FALSE(none.headers.contains("Cookie"));
  EXPECT_FALSE(build(viewer("/", {}), f).headers.contains("Cookie"));
}

TEST(FilterCookies, Syntax) {
  std::vector<std::string> names = {"a", "c"};
  EXPECT_EQ(filter_cookies(" a=1 ;b=2;  c = 3 ;; ", names), "a=1; c = 3");
  EXPECT_EQ(filter_cookies("a", names), "a");
  EXPECT_EQ(filter_cookies("", names), "");
  EXPECT_EQ(filter_cookies("a=1", {}), "");
}

TEST(OriginRequest, CustomHeadersOverwrite) {
  config::Origin org = origin();
  org.custom_headers = {{"X-Origin-Secret", "s3cr3t"}, {"User-Agent", "custom"}};
  http::RequestHead o = build(
      viewer("/", {{"x-origin-secret", "forged"}, {"X-Origin-Secret", "forged2"}}), all(), org);
  EXPECT_EQ(o.headers.count("X-Origin-Secret"), 1u);
  EXPECT_EQ(o.headers.get("X-Origin-Secret"), "s3cr3t");
  EXPECT_EQ(o.headers.get("User-Agent"), "custom");
}

TEST(OriginRequest, EmptyPeerIpDoesNotAddXff) {
  http::RequestHead v = viewer("/", {});
  http::RequestHead o = build_origin_request(v, "/", origin(), all(), ViewerInfo{}, "e");
  EXPECT_FALSE(o.headers.contains("X-Forwarded-For"));
}

TEST(ResponseHeaders, HopByHopRemovedAndViaAppended) {
  http::HeaderList h;
  h.add("Content-Type", "text/plain");
  h.add("Connection", "close, X-Internal");
  h.add("X-Internal", "1");
  h.add("Keep-Alive", "timeout=5");
  h.add("Transfer-Encoding", "chunked");
  h.add("Trailer", "X-Checksum");
  h.add("Upgrade", "h2c");
  h.add("Proxy-Authenticate", "Basic");
  h.add("Content-Length", "10");
  h.add("Set-Cookie", "a=1");
  rewrite_response_headers(h, http::Version{1, 1}, "edgefront");
  for (const char* name : {"Connection", "X-Internal", "Keep-Alive", "Transfer-Encoding", "Trailer",
                           "Upgrade", "Proxy-Authenticate"}) {
    EXPECT_FALSE(h.contains(name)) << name;
  }
  EXPECT_EQ(h.get("Content-Type"), "text/plain");
  EXPECT_EQ(h.get("Content-Length"), "10");
  EXPECT_EQ(h.get("Set-Cookie"), "a=1");
  EXPECT_EQ(h.get("Via"), "1.1 edgefront");
}

TEST(ResponseHeaders, ViaUsesOriginVersionAndAppends) {
  http::HeaderList h;
  h.add("Via", "1.1 upstream-proxy");
  rewrite_response_headers(h, http::Version{1, 0}, "edge-a");
  EXPECT_EQ(h.get("Via"), "1.1 upstream-proxy, 1.0 edge-a");
  EXPECT_EQ(h.count("Via"), 1u);
}

// Forwarding computed from cache / origin request policies (cloudfront-spec.md 3.8).
TEST(OriginRequest, QueryStringAllowAndBlockLists) {
  config::Forwarding f = all();
  f.query_string_names = {"v", "lang"};
  EXPECT_EQ(build(viewer("/a?utm=1&lang=en&v=2&V=3", {}), f).target, "/a?lang=en&v=2");
  EXPECT_EQ(build(viewer("/a?utm=1", {}), f).target, "/a");
  f.query_string_except = true;
  EXPECT_EQ(build(viewer("/a?utm=1&lang=en&v=2&V=3", {}), f).target, "/a?utm=1&V=3");
  EXPECT_EQ(filter_query("a=1;v=2&v", f), "a=1;v=2");  // ';' is not a separator
}

TEST(OriginRequest, CookieBlockList) {
  config::Forwarding f = all();
  f.cookie_except_names = {"tracking*"};
  http::RequestHead o =
      build(viewer("/", {{"Cookie", "session=1; tracking_id=2"}, {"Cookie", "b=3"}}), f);
  EXPECT_EQ(o.headers.get("Cookie"), "session=1; b=3");
  http::RequestHead none = build(viewer("/", {{"Cookie", "tracking=2"}}), f);
  EXPECT_FALSE(none.headers.contains("Cookie"));
}

TEST(OriginRequest, HeaderBlockListAndViewerHost) {
  config::Forwarding f = all();
  f.header_except_names = {"X-Debug"};
  http::RequestHead o =
      build(viewer("/", {{"Host", "www.example.com"}, {"X-Debug", "1"}, {"Accept", "a"}}), f);
  EXPECT_FALSE(o.headers.contains("X-Debug"));
  EXPECT_EQ(o.headers.get("Accept"), "a");
  EXPECT_EQ(o.headers.get("Host"), "origin.example.com");
  f.forward_host = true;  // AllViewer: the viewer's Host goes to the origin
  EXPECT_EQ(build(viewer("/", {{"Host", "www.example.com"}}), f).headers.get("Host"),
            "www.example.com");
}

TEST(OriginRequest, AcceptEncodingNormalisedRemovedOrPassedOn) {
  config::Forwarding f = all();
  EXPECT_EQ(
      build(viewer("/", {{"Accept-Encoding", "zstd, gzip"}}), f).headers.get("Accept-Encoding"),
      "zstd, gzip");
  f.accept_encoding = config::Forwarding::AcceptEncoding::kNormalize;
  f.accept_encoding_gzip = f.accept_encoding_brotli = true;
  EXPECT_EQ(build(viewer("/", {{"Accept-Encoding", "gzip, deflate, br, zstd"}}), f)
                .headers.get("Accept-Encoding"),
            "br,gzip");
  EXPECT_EQ(build(viewer("/", {{"Accept-Encoding", "deflate"}}), f).headers.get("Accept-Encoding"),
            "identity");
  EXPECT_EQ(build(viewer("/", {}), f).headers.get("Accept-Encoding"), "identity");
  http::RequestHead old = viewer("/", {{"Accept-Encoding", "gzip"}});
  old.version = http::Version{1, 0};
  EXPECT_EQ(build(old, f).headers.get("Accept-Encoding"), "identity");
  f.accept_encoding = config::Forwarding::AcceptEncoding::kRemove;
  EXPECT_FALSE(
      build(viewer("/", {{"Accept-Encoding", "gzip"}}), f).headers.contains("Accept-Encoding"));
}

}  // namespace
}  // namespace edgefront::upstream

namespace edgefront::upstream {
namespace {

// Every header of kUnkeyedOverrideHeaders, in mixed case, with a hostile value.
http::RequestHead poisoning_request() {
  http::RequestHead r = viewer("/", {{"Host", "www.example.com"}, {"X-Kept", "yes"}});
  for (std::string_view name : kUnkeyedOverrideHeaders) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.add(lower, "evil.example");
  }
  return r;
}

struct UnkeyedCase {
  const char* name;
  config::Forwarding::Headers headers;
  std::vector<std::string> header_names;
  bool strip;                     // Forwarding::strip_unkeyed_overrides
  std::vector<std::string> kept;  // of kUnkeyedOverrideHeaders; the others must be gone
};

class UnkeyedOverrides : public ::testing::TestWithParam<UnkeyedCase> {};

TEST_P(UnkeyedOverrides, RemovedUnlessListed) {
  const UnkeyedCase& c = GetParam();
  config::Forwarding f;
  f.headers = c.headers;
  f.header_names = c.header_names;
  f.strip_unkeyed_overrides = c.strip;
  http::RequestHead o = build(poisoning_request(), f);
  for (std::string_view name : kUnkeyedOverrideHeaders) {
    bool expected = std::any_of(c.kept.begin(), c.kept.end(),
                                [&](const std::string& k) { return iequals(k, name); });
    EXPECT_EQ(o.headers.contains(name), expected) << name;
  }
  EXPECT_EQ(o.headers.get("X-Kept"), "yes");
  EXPECT_EQ(o.headers.get("Host"), "origin.example.com");
}

std::vector<std::string> all_unkeyed() {
  return std::vector<std::string>(kUnkeyedOverrideHeaders.begin(), kUnkeyedOverrideHeaders.end());
}

using H = config::Forwarding::Headers;

INSTANTIATE_TEST_SUITE_P(
    Table, UnkeyedOverrides,
    ::testing::Values(
        // A behavior that caches, default forwarding: none of them reaches the origin.
        UnkeyedCase{"DefaultCaching", H::kDefault, {}, true, {}},
        // Named by a list (the key, an origin request policy): forwarded, case-insensitively.
        UnkeyedCase{"Listed",
                    H::kWhitelist,
                    {"x-forwarded-host", "X-Original-URL"},
                    true,
                    {"X-Forwarded-Host", "X-Original-URL"}},
        // Nothing stored (CachingDisabled): CloudFront's forwarding, all of them go.
        UnkeyedCase{"DefaultNotCaching", H::kDefault, {}, false, all_unkeyed()},
        // Every header asked for (all_viewer, legacy "*"): all go, the flag is never set there.
        UnkeyedCase{"All", H::kAll, {}, true, all_unkeyed()},
        UnkeyedCase{"LegacyStar", H::kWhitelist, {"*"}, true, all_unkeyed()}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(OriginRequest, CloudFrontRemovedHeadersStayRemovedOnCachingBehaviors) {
  // Spec 4.2's removed list, on a caching behavior with default forwarding.
  http::RequestHead v = viewer("/", {{"Accept", "a"},
                                     {"Accept-Charset", "b"},
                                     {"Accept-Language", "c"},
                                     {"Expect", "100-continue"},
                                     {"Proxy-Authenticate", "x"},
                                     {"Proxy-Authorization", "x"},
                                     {"Proxy-Connection", "x"},
                                     {"Referer", "r"},
                                     {"TE", "trailers"},
                                     {"Trailer", "x"},
                                     {"Upgrade", "websocket"},
                                     {"X-Edge-Origin-Shield", "x"},
                                     {"X-Forwarded-Proto", "https"},
                                     {"X-HTTP-Method-Override", "DELETE"},
                                     {"X-Real-IP", "1.2.3.4"},
                                     {"Cookie", "a=1"},
                                     {"Authorization", "Basic x"}});
  config::Forwarding f;
  f.headers = H::kDefault;
  f.cookies = config::Forwarding::Cookies::kNone;
  f.strip_unkeyed_overrides = true;
  http::RequestHead o = build(v, f);
  for (const auto& [name, value] : v.headers.fields()) {
    EXPECT_FALSE(o.headers.contains(name)) << name;
  }
}

}  // namespace
}  // namespace edgefront::upstream
