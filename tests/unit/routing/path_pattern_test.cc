#include "routing/path_pattern.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace edgefront::routing {
namespace {

struct Case {
  const char* pattern;
  const char* path;
  bool match;
};

class PathPatternTable : public ::testing::TestWithParam<Case> {};

TEST_P(PathPatternTable, Matches) {
  const Case& c = GetParam();
  EXPECT_EQ(PathPattern(c.pattern).matches(c.path), c.match)
      << "pattern=" << c.pattern << " path=" << c.path;
}

INSTANTIATE_TEST_SUITE_P(
    Spec, PathPatternTable,
    ::testing::Values(
        // '*' matches everything, including '/'.
        Case{"*", "/", true}, Case{"*", "/a/b/c.jpg", true}, Case{"*", "", true},
        Case{"/*", "/anything/at/all", true},
        // Leading '/' optional.
        Case{"images/*.jpg", "/images/a.jpg", true}, Case{"/images/*.jpg", "/images/a.jpg", true},
        Case{"images/*.jpg", "/images/a/b/c.jpg", true}, Case{"images/*.jpg", "/images/.jpg", true},
        Case{"images/*.jpg", "/other/images/a.jpg", false},
        Case{"images/*.jpg", "/images/a.jpeg", false},
        Case{"images/*.jpg", "/images/a.jpg/x", false},
        // Case-sensitive.
        Case{"*.jpg", "/LOGO.JPG", false}, Case{"*.jpg", "/logo.jpg", true},
        Case{"/Images/*", "/images/x", false},
        // '?' is exactly one character (also '/').
        Case{"/a?c", "/abc", true}, Case{"/a?c", "/ac", false}, Case{"/a?c", "/abbc", false},
        Case{"/a?c", "/a/c", true}, Case{"?abc", "/xabc", true}, Case{"?abc", "/abc", false},
        Case{"/???", "/abc", true},
        // Whole path must match; no implicit prefix match.
        Case{"/api", "/api", true}, Case{"/api", "/api/", false}, Case{"/api", "/ap", false},
        Case{"/api/*", "/api/", true}, Case{"/api/*", "/api", false},
        Case{"api/v?/*", "/api/v1/users", true},
        // Multiple stars and backtracking.
        Case{"/*a*b*c", "/xxaxxbxxc", true}, Case{"/*a*b*c", "/xxaxxcxxb", false},
        Case{"*.tar.gz", "/x.tar.gz.tar.gz", true}, Case{"**", "/x", true},
        Case{"/a**b", "/ab", true}, Case{"/a*", "/a", true},
        // Empty pattern: only the root.
        Case{"", "/", true}, Case{"", "/a", false}));

TEST(PathPattern, TextIsAsConfigured) {
  EXPECT_EQ(PathPattern("images/*.jpg").text(), "images/*.jpg");
  EXPECT_EQ(PathPattern("/x").text(), "/x");
}

TEST(PathPattern, NoExponentialBlowup) {
  std::string path = "/" + std::string(10000, 'a');
  PathPattern p("*a*a*a*a*a*a*b");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(p.matches(path));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  EXPECT_TRUE(PathPattern("*a*a*a*a*a*a*").matches(path));
  EXPECT_TRUE(PathPattern("*a*a*a*a*a*a").matches(path));
}

TEST(GlobMatch, CookieNames) {
  EXPECT_TRUE(glob_match("session*", "session_id"));
  EXPECT_TRUE(glob_match("session*", "session"));
  EXPECT_FALSE(glob_match("session*", "Session"));
  EXPECT_TRUE(glob_match("u?er", "user"));
  EXPECT_FALSE(glob_match("u?er", "uer"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("", "a"));
  EXPECT_TRUE(glob_match("", ""));
}

}  // namespace
}  // namespace edgefront::routing
