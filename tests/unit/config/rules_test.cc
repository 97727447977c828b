// The value rules shared by both formats, and the field path / problem collector.
#include "config/rules.h"

#include <gtest/gtest.h>

#include "config/field_path.h"

namespace edgefront::config::detail {
namespace {

TEST(FieldPathTest, BuildsKeysAndIndexes) {
  FieldPath root("DistributionConfig");
  EXPECT_EQ(root.key("Origins").key("Items").index(1).key("Id").str(),
            "DistributionConfig.Origins.Items[1].Id");
  EXPECT_EQ(FieldPath().key("distributions").index(0).str(), "distributions[0]");
}

TEST(FieldPathTest, ProblemsJoinPathAndReason) {
  Problems p;
  p.error(FieldPath("a").key("b"), "required");
  p.warn(FieldPath("c"), "ignored");
  p.error(FieldPath(), "expected mapping");
  EXPECT_EQ(p.errors(),
            (std::vector<std::string>{"a.b: required", "(top level): expected mapping"}));
  EXPECT_EQ(p.warnings(), (std::vector<std::string>{"c: ignored"}));
}

TEST(RulesTest, BareHost) {
  EXPECT_TRUE(is_bare_host("127.0.0.1"));
  EXPECT_TRUE(is_bare_host("origin.example.com"));
  EXPECT_FALSE(is_bare_host(""));
  EXPECT_FALSE(is_bare_host("example.com:8080"));
  EXPECT_FALSE(is_bare_host("http://example.com"));
  EXPECT_FALSE(is_bare_host("example.com/path"));
  EXPECT_FALSE(is_bare_host("exa mple.com"));
  EXPECT_FALSE(is_bare_host("::1"));
}

TEST(RulesTest, Alias) {
  EXPECT_EQ(check_alias("www.example.com"), std::nullopt);
  EXPECT_EQ(check_alias("*.example.com"), std::nullopt);
  EXPECT_NE(check_alias("www.example.com:80"), std::nullopt);
  EXPECT_NE(check_alias("*"), std::nullopt);
  EXPECT_NE(check_alias("a.*.example.com"), std::nullopt);
  EXPECT_NE(check_alias(""), std::nullopt);
}

TEST(RulesTest, OriginPath) {
  EXPECT_EQ(check_origin_path(""), std::nullopt);
  EXPECT_EQ(check_origin_path("/prod"), std::nullopt);
  EXPECT_EQ(check_origin_path("/a/b"), std::nullopt);
  const std::string reason = "expected a path starting with '/' and not ending with '/'";
  EXPECT_EQ(check_origin_path("prod"), reason);
  EXPECT_EQ(check_origin_path("/prod/"), reason);
  EXPECT_EQ(check_origin_path("/"), reason);
  EXPECT_EQ(check_origin_path("/a?b"), "character \"?\" is not allowed in a path");
}

TEST(RulesTest, PathPattern) {
  for (const char* good : {"*", "/api/*", "images/*.jpg", "/a?c", "/~user/$x'\"@:+&"}) {
    EXPECT_EQ(check_path_pattern(good), std::nullopt) << good;
  }
  EXPECT_EQ(check_path_pattern(""), "required");
  EXPECT_EQ(check_path_pattern("/a b"), "character \" \" is not allowed in a path pattern");
  EXPECT_EQ(check_path_pattern("/a#b"), "character \"#\" is not allowed in a path pattern");
  EXPECT_EQ(check_path_pattern(std::string(256, 'a')), "at most 255 characters");
  EXPECT_EQ(check_path_pattern(std::string(255, 'a')), std::nullopt);
}

TEST(RulesTest, DefaultRootObject) {
  EXPECT_EQ(check_default_root_object(""), std::nullopt);
  EXPECT_EQ(check_default_root_object("index.html"), std::nullopt);
  EXPECT_EQ(check_default_root_object("dir/index.html"), std::nullopt);
  EXPECT_EQ(check_default_root_object("/index.html"), "must not start with '/'");
  EXPECT_EQ(check_default_root_object("a?b"),
            "character \"?\" is not allowed in a default root object");
}

TEST(RulesTest, CustomHeaderNames) {
  EXPECT_EQ(check_custom_header_name("X-Origin-Secret"), std::nullopt);
  for (const char* forbidden : {"Host",
                                "host",
                                "Cache-Control",
                                "Connection",
                                "Content-Length",
                                "Cookie",
                                "If-Match",
                                "Max-Forwards",
                                "Pragma",
                                "Range",
                                "TE",
                                "Transfer-Encoding",
                                "Upgrade",
                                "Via",
                                "X-Real-Ip",
                                "X-Amz-Date",
                                "x-amz-anything",
                                "X-Edge-Location",
                                "Keep-Alive",
                                "Proxy-Authenticate"}) {
    EXPECT_EQ(check_custom_header_name(forbidden),
              "\"" + std::string(forbidden) + "\" cannot be set as an origin custom header")
        << forbidden;
  }
  EXPECT_EQ(check_custom_header_name("Bad Name"), "expected an HTTP header name");
  EXPECT_EQ(check_custom_header_name(""), "expected an HTTP header name");
  EXPECT_EQ(check_custom_header_value("ok value"), std::nullopt);
  EXPECT_NE(check_custom_header_value("a\r\nInjected: 1"), std::nullopt);
  EXPECT_NE(check_custom_header_value(std::string(1784, 'v')), std::nullopt);
}

TEST(RulesTest, Methods) {
  EXPECT_EQ(parse_allowed_method("GET"), http::Method::kGet);
  EXPECT_EQ(parse_allowed_method("DELETE"), http::Method::kDelete);
  EXPECT_EQ(parse_allowed_method("get"), std::nullopt);
  EXPECT_EQ(parse_allowed_method("CONNECT"), std::nullopt);
  EXPECT_TRUE(is_subset(http::MethodSet::get_head(), http::MethodSet::get_head_options()));
  EXPECT_FALSE(is_subset(http::MethodSet::get_head_options(), http::MethodSet::get_head()));
  EXPECT_TRUE(has_write_method(http::MethodSet::all_seven()));
  EXPECT_FALSE(has_write_method(http::MethodSet::get_head_options()));
}

TEST(RulesTest, ListenAddress) {
  std::optional<ListenAddress> a = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = parse_listen_address("[::1]:9901");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 9901);
  EXPECT_EQ(format_listen_address(*a), "[::1]:9901");
  a = parse_listen_address("0.0.0.0:0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port, 0);
  for (const char* bad :
       {"", "8080", "localhost:8080", "127.0.0.1", "127.0.0.1:", "::1:80", "[::1]",
        "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x", "256.0.0.1:80", "[127.0.0.1]:80"}) {
    EXPECT_EQ(parse_listen_address(bad), std::nullopt) << bad;
  }
  EXPECT_TRUE(is_loopback(ListenAddress{"127.0.0.1", 1}));
  EXPECT_TRUE(is_loopback(ListenAddress{"127.1.2.3", 1}));
  EXPECT_TRUE(is_loopback(ListenAddress{"::1", 1}));
  EXPECT_FALSE(is_loopback(ListenAddress{"0.0.0.0", 1}));
  EXPECT_FALSE(is_loopback(ListenAddress{"10.0.0.1", 1}));
}

TEST(RulesTest, References) {
  Distribution d;
  d.origins.resize(2);
  d.origins[0].id = "a";
  d.origins[1].id = "b";
  d.origin_groups.resize(1);
  d.origin_groups[0].id = "g";
  EXPECT_EQ(check_target(d, "a"), std::nullopt);
  EXPECT_EQ(check_target(d, "g"), std::nullopt);
  EXPECT_EQ(check_target(d, "x"), "no origin or origin group named \"x\"");
  EXPECT_EQ(check_group_member(d, "b"), std::nullopt);
  EXPECT_EQ(check_group_member(d, "g"), "\"g\" is an origin group; members must be origins");
  EXPECT_EQ(check_group_member(d, "x"), "no origin named \"x\"");
}

TEST(RulesTest, CodeLists) {
  EXPECT_TRUE(contains(kCustomErrorCodes, 404));
  EXPECT_FALSE(contains(kCustomErrorCodes, 401));
  EXPECT_EQ(expected_one_of(kConsoleFailoverCodes),
            "expected one of 400|403|404|416|500|502|503|504");
}

}  // namespace
}  // namespace edgefront::config::detail
