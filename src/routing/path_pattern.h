// CloudFront cache-behavior PathPattern matching (spec §3.2): '*' matches zero or more
// characters including '/', '?' exactly one, case-sensitive, leading '/' optional, and the
// whole path must match. Matching is O(pattern * path) at worst, never exponential.
#pragma once

#include <string>
#include <string_view>

namespace edgefront::routing {

// Glob match of the whole `text` against `pattern` ('*' = any run, '?' = one character),
// case-sensitive. Also used for cookie-name whitelists.
bool glob_match(std::string_view pattern, std::string_view text);

class PathPattern {
 public:
  explicit PathPattern(std::string_view pattern);  // CloudFront PathPattern; leading '/' optional
  bool matches(std::string_view path) const;       // path = request path without query
  const std::string& text() const { return text_; }

 private:
  std::string text_;        // as configured
  std::string normalized_;  // with a leading '/' unless it starts with '/' or '*'
};

}  // namespace edgefront::routing
