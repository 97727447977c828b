#include "routing/path_pattern.h"

namespace edgefront::routing {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Greedy matching with one backtrack point (the last '*'): a later '*' subsumes every
  // earlier one, so backtracking only to the latest star is complete. O(|p| * |t|) worst case.
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;  // position in pattern just after the last '*'
  size_t star_t = 0;                     // text position that star currently consumes up to
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;  // collapse runs of '*'
      if (p == pattern.size()) return true;                 // trailing '*' eats the rest
      star = p;
      star_t = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

PathPattern::PathPattern(std::string_view pattern) : text_(pattern) {
  // "images/*.jpg" == "/images/*.jpg". A leading '*' already matches the '/', so leave it.
  if (!pattern.empty() && (pattern.front() == '/' || pattern.front() == '*')) {
    normalized_ = text_;
  } else {
    normalized_.reserve(pattern.size() + 1);
    normalized_.push_back('/');
    normalized_.append(pattern);
  }
}

bool PathPattern::matches(std::string_view path) const { return glob_match(normalized_, path); }

}  // namespace edgefront::routing
