// Fuzzes routing: Host header -> distribution (exact and wildcard aliases), path -> cache
// behavior (first matching PathPattern) and glob_match itself, against a config built here
// with fixed patterns plus patterns and an alias taken from the input. Checks the route
// against a straightforward reference, and glob_match against a dynamic-programming matcher.
//
// Input, split on '\n': Host header value, request path, then up to four path patterns (the
// first also becomes an alias of the second distribution).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "routing/path_pattern.h"
#include "routing/router.h"

using edgefront::config::CacheBehavior;
using edgefront::config::Config;
using edgefront::config::Distribution;
using edgefront::routing::glob_match;
using edgefront::routing::normalize_host;
using edgefront::routing::PathPattern;
using edgefront::routing::Route;
using edgefront::routing::Router;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "router_fuzz: %s\n", what);
  std::abort();
}

// Reference glob: dp[i][j] = pattern[i..] matches text[j..].
bool reference_glob(std::string_view p, std::string_view t) {
  std::vector<std::vector<char>> dp(p.size() + 1, std::vector<char>(t.size() + 1, 0));
  dp[p.size()][t.size()] = 1;
  for (size_t i = p.size(); i-- > 0;) {
    for (size_t j = t.size() + 1; j-- > 0;) {
      if (p[i] == '*') {
        dp[i][j] = dp[i + 1][j] || (j < t.size() && dp[i][j + 1]);
      } else {
        dp[i][j] = j < t.size() && (p[i] == '?' || p[i] == t[j]) && dp[i + 1][j + 1];
      }
    }
  }
  return dp[0][0] != 0;
}

CacheBehavior behavior(std::string pattern, std::string target) {
  CacheBehavior b;
  b.path_pattern = std::move(pattern);
  b.target_origin_id = std::move(target);
  return b;
}

Config make_config(const std::vector<std::string_view>& patterns) {
  Config c;
  Distribution a;
  a.id = "a";
  a.aliases = {"example.com", "www.example.com", "*.example.com"};
  a.default_root_object = "index.html";
  a.default_behavior.target_origin_id = "a-default";
  a.behaviors = {behavior("/images/*.jpg", "a-img"), behavior("api/*", "a-api"),
                 behavior("*.css", "a-css"), behavior("/a?c", "a-q")};
  for (std::string_view p : patterns) a.behaviors.push_back(behavior(std::string(p), "a-fuzz"));
  a.behaviors.push_back(behavior("", "a-empty"));
  c.distributions.push_back(std::move(a));

  Distribution b;
  b.id = "b";
  b.aliases = {"*.cdn.example.com", "Other.Example.ORG.", "[::1]:8443"};
  if (!patterns.empty()) b.aliases.emplace_back(patterns.front());
  b.default_root_object = "//home.html";
  b.default_behavior.target_origin_id = "b-default";
  b.behaviors = {behavior("*", "b-all")};
  c.distributions.push_back(std::move(b));

  Distribution d;
  d.id = "d";
  d.aliases = {"example.com", "*.org"};  // "example.com" is taken: the first one wins
  d.default_behavior.target_origin_id = "d-default";
  for (std::string_view p : patterns) d.behaviors.push_back(behavior(std::string(p), "d-fuzz"));
  c.distributions.push_back(std::move(d));

  if (patterns.size() % 2 == 1) {  // sometimes a catch-all for the Hosts no alias names
    Distribution e;
    e.id = "e";
    e.default_behavior.target_origin_id = "e-default";
    c.distributions.push_back(std::move(e));
  }
  return c;
}

// The first distribution without aliases (the catch-all), or null.
const Distribution* catch_all(const Config& c) {
  for (const Distribution& d : c.distributions) {
    if (d.aliases.empty()) return &d;
  }
  return nullptr;
}

// The distribution the router should pick, from the aliases directly; null: none (refused).
const Distribution* reference_distribution(const Config& c, std::string_view host_header) {
  std::string host = normalize_host(host_header);
  if (host.empty()) return catch_all(c);
  for (const Distribution& d : c.distributions) {
    for (const std::string& alias : d.aliases) {
      std::string a = normalize_host(alias);
      if (!(a.size() > 2 && a.compare(0, 2, "*.") == 0) && a == host) return &d;
    }
  }
  const Distribution* best = nullptr;
  size_t best_len = 0;
  for (const Distribution& d : c.distributions) {
    for (const std::string& alias : d.aliases) {
      std::string a = normalize_host(alias);
      if (!(a.size() > 2 && a.compare(0, 2, "*.") == 0)) continue;
      std::string_view suffix = std::string_view(a).substr(1);
      if (host.size() > suffix.size() && host.ends_with(suffix) &&
          (best == nullptr || suffix.size() > best_len)) {
        best = &d;
        best_len = suffix.size();
      }
    }
  }
  return best != nullptr ? best : catch_all(c);
}

void check_route(const Config& c, const Router& router, std::string_view host,
                 std::string_view path) {
  Route r = router.route(host, path);
  check(r.distribution != nullptr, "null distribution for a non-empty config");
  check(r.behavior != nullptr, "null behavior for a non-empty config");
  const Distribution* found = router.find_distribution(host);
  check(r.unknown_host == (found == nullptr), "route and find_distribution disagree on the Host");
  check(r.unknown_host ? r.distribution == &c.distributions.front() : r.distribution == found,
        "route and find_distribution disagree");
  check(found == reference_distribution(c, host), "wrong distribution for the Host");

  const Distribution& d = *r.distribution;
  const CacheBehavior* expected = &d.default_behavior;
  for (const CacheBehavior& b : d.behaviors) {
    if (PathPattern(b.path_pattern).matches(path)) {
      expected = &b;
      break;
    }
  }
  check(r.behavior == expected, "not the first matching behavior");

  std::string_view root_object = d.default_root_object;
  while (!root_object.empty() && root_object.front() == '/') root_object.remove_prefix(1);
  if (path == "/" && !root_object.empty()) {
    check(r.origin_path == "/" + std::string(root_object), "default root object not applied");
  } else {
    check(r.origin_path == path, "origin path differs from the request path");
  }
}

void check_glob(std::string_view pattern, std::string_view text) {
  bool got = glob_match(pattern, text);
  if (pattern.size() <= 64 && text.size() <= 256) {
    check(got == reference_glob(pattern, text), "glob_match disagrees with the reference");
  }
  check(glob_match(pattern, pattern), "a pattern must match its own text");
  check(glob_match(text, text), "a text must match itself as a pattern");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  while (lines.size() < 6) {
    size_t nl = input.find('\n');
    lines.push_back(input.substr(0, nl));
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  lines.resize(std::max<size_t>(lines.size(), 2));
  std::string_view host = lines[0];
  std::string_view path = lines[1];
  std::vector<std::string_view> patterns(lines.begin() + 2, lines.end());

  static const PathPattern kStar("*");
  check(kStar.matches(path) && kStar.matches(host) && kStar.matches(""), "'*' must match all");
  check(glob_match("*", path) && glob_match("**", path), "glob '*' must match all");

  Config config = make_config(patterns);
  Router router(config);
  check_route(config, router, host, path);
  check_route(config, router, path, host);  // the other way round: arbitrary bytes both ways
  for (std::string_view p : patterns) {
    check_glob(p, path);
    check(
        PathPattern(p).matches(path) ==
            glob_match(!p.empty() && (p.front() == '/' || p.front() == '*') ? std::string(p)
                                                                            : "/" + std::string(p),
                       path),
        "PathPattern adds exactly one leading '/'");
  }
  check_glob(path, host);

  // With no distributions there is nothing to route to.
  Config empty;
  Router none(empty);
  Route r = none.route(host, path);
  check(r.distribution == nullptr && r.behavior == nullptr && r.origin_path == path,
        "empty config routes nowhere");
  check(none.find_distribution(host) == nullptr, "empty config has no distribution");
  return 0;
}
