#include "routing/router.h"

#include <gtest/gtest.h>

namespace edgefront::routing {
namespace {

config::CacheBehavior behavior(std::string pattern, std::string origin) {
  config::CacheBehavior b;
  b.path_pattern = std::move(pattern);
  b.target_origin_id = std::move(origin);
  return b;
}

config::Config make_config() {
  config::Config c;
  config::Distribution first;
  first.id = "first";
  first.aliases = {"www.example.com"};
  first.default_root_object = "index.html";
  first.default_behavior = behavior("*", "default");
  first.behaviors = {behavior("/api/*", "api"), behavior("images/*.jpg", "images"),
                     behavior("/api/v1/*", "never-reached"), behavior("*.gif", "gif")};
  c.distributions.push_back(first);

  config::Distribution second;
  second.id = "second";
  second.aliases = {"static.example.net", "*.cdn.example.org", "*.example.org"};
  second.default_behavior = behavior("*", "second-default");
  c.distributions.push_back(second);

  config::Distribution third;
  third.id = "third";
  third.aliases = {"a.cdn.example.org", "[2001:db8::1]", "Upper.Example.COM"};
  third.default_behavior = behavior("*", "third-default");
  c.distributions.push_back(third);
  return c;
}

TEST(NormalizeHost, Forms) {
  EXPECT_EQ(normalize_host("WWW.Example.com"), "www.example.com");
  EXPECT_EQ(normalize_host("www.example.com:8080"), "www.example.com");
  EXPECT_EQ(normalize_host("[2001:DB8::1]:443"), "2001:db8::1");
  EXPECT_EQ(normalize_host("[::1]"), "::1");
  EXPECT_EQ(normalize_host("::1"), "::1");
  EXPECT_EQ(normalize_host("example.com."), "example.com");
  EXPECT_EQ(normalize_host(" example.com "), "example.com");
  EXPECT_EQ(normalize_host(""), "");
}

struct HostCase {
  const char* host;
  const char* distribution;
};

class RouterHost : public ::testing::TestWithParam<HostCase> {};

TEST_P(RouterHost, PicksDistribution) {
  config::Config c = make_config();
  Router r(c);
  Route route = r.route(GetParam().host, "/x");
  ASSERT_NE(route.distribution, nullptr);
  std::string_view expected = GetParam().distribution;
  // "": no alias matches and every distribution has aliases: refused (the first one answers).
  EXPECT_EQ(route.unknown_host, expected.empty()) << GetParam().host;
  EXPECT_EQ(route.distribution->id, expected.empty() ? "first" : expected) << GetParam().host;
  const config::Distribution* found = r.find_distribution(GetParam().host);
  EXPECT_EQ(found, expected.empty() ? nullptr : route.distribution);
}

INSTANTIATE_TEST_SUITE_P(
    Aliases, RouterHost,
    ::testing::Values(
        HostCase{"www.example.com", "first"}, HostCase{"WWW.EXAMPLE.COM", "first"},
        HostCase{"www.example.com:8443", "first"}, HostCase{"static.example.net", "second"},
        // Wildcard: one or more leading labels; never the apex.
        HostCase{"x.example.org", "second"}, HostCase{"a.b.example.org", "second"},
        HostCase{"example.org", ""},
        // Exact beats wildcard, longer wildcard beats shorter.
        HostCase{"a.cdn.example.org", "third"}, HostCase{"b.cdn.example.org", "second"},
        HostCase{"[2001:db8::1]:8080", "third"}, HostCase{"upper.example.com", "third"},
        // No match (or no Host): refused.
        HostCase{"unknown.test", ""}, HostCase{"", ""}, HostCase{"xexample.org", ""}));

// A distribution without aliases is the catch-all for Hosts no alias names; with no aliases
// anywhere that is the first one, as before aliases were checked (demo and test configs).
TEST(Router, CatchAllIsFirstDistributionWithoutAliases) {
  config::Config c = make_config();
  config::Distribution plain;
  plain.id = "plain";
  plain.default_behavior = behavior("*", "plain-default");
  c.distributions.push_back(plain);
  c.distributions.push_back(plain);
  c.distributions.back().id = "second-plain";
  Router r(c);
  for (const char* host : {"unknown.test", "", "127.0.0.1:8080"}) {
    Route route = r.route(host, "/x");
    EXPECT_FALSE(route.unknown_host) << host;
    EXPECT_EQ(route.distribution->id, "plain") << host;
  }
  EXPECT_EQ(r.route("www.example.com", "/").distribution->id, "first");

  config::Config none;
  none.distributions = {plain, plain};
  none.distributions[1].id = "other";
  Router n(none);
  Route route = n.route("anything.test", "/");
  EXPECT_FALSE(route.unknown_host);
  EXPECT_EQ(route.distribution->id, "plain");
}

struct PathCase {
  const char* path;
  const char* origin;
  const char* origin_path;
};

class RouterPath : public ::testing::TestWithParam<PathCase> {};

TEST_P(RouterPath, PicksBehaviorAndOriginPath) {
  config::Config c = make_config();
  Router r(c);
  Route route = r.route("www.example.com", GetParam().path);
  ASSERT_NE(route.behavior, nullptr);
  EXPECT_EQ(route.behavior->target_origin_id, GetParam().origin) << GetParam().path;
  EXPECT_EQ(route.origin_path, GetParam().origin_path);
}

INSTANTIATE_TEST_SUITE_P(
    Behaviors, RouterPath,
    ::testing::Values(PathCase{"/api/users", "api", "/api/users"},
                      PathCase{"/api/v1/x", "api", "/api/v1/x"},  // first match wins
                      PathCase{"/images/a/b.jpg", "images", "/images/a/b.jpg"},
                      PathCase{"/images/a.JPG", "default", "/images/a.JPG"},
                      PathCase{"/x/y.gif", "gif", "/x/y.gif"},
                      PathCase{"/other", "default", "/other"},
                      // DefaultRootObject only for exactly "/".
                      PathCase{"/", "default", "/index.html"},
                      PathCase{"/dir/", "default", "/dir/"}, PathCase{"//", "default", "//"}));

TEST(Router, NoDefaultRootObject) {
  config::Config c = make_config();
  Router r(c);
  Route route = r.route("static.example.net", "/");
  EXPECT_EQ(route.distribution->id, "second");
  EXPECT_EQ(route.behavior, &route.distribution->default_behavior);
  EXPECT_EQ(route.origin_path, "/");
}

TEST(Router, PointersIntoConfig) {
  config::Config c = make_config();
  Router r(c);
  Route route = r.route("www.example.com", "/api/x");
  EXPECT_EQ(route.distribution, &c.distributions[0]);
  EXPECT_EQ(route.behavior, &c.distributions[0].behaviors[0]);
  EXPECT_EQ(r.find_distribution("x.example.org"), &c.distributions[1]);
}

TEST(Router, EmptyConfig) {
  config::Config c;
  Router r(c);
  Route route = r.route("a", "/p");
  EXPECT_EQ(route.distribution, nullptr);
  EXPECT_EQ(route.behavior, nullptr);
  EXPECT_EQ(route.origin_path, "/p");
}

}  // namespace
}  // namespace edgefront::routing
