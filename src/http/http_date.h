// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate out; IMF-fixdate, RFC 850 and asctime in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace edgefront::http {

// "Sun, 06 Nov 1994 08:49:37 GMT" (sub-second part truncated).
std::string format_http_date(SystemTime t);

// Parses IMF-fixdate, RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime
// ("Sun Nov  6 08:49:37 1994"); nullopt when malformed. Valid dates outside SystemTime's range
// (e.g. year 9999) are clamped to its first / last whole second (1677-09-21 00:12:44,
// 2262-04-11 23:47:16).
std::optional<SystemTime> parse_http_date(std::string_view s);

// Caches the formatted current date; reformats only when the second changes. Not
// thread-safe: use one per thread.
class DateCache {
 public:
  std::string_view now(SystemTime t);

 private:
  long long second_ = 0;
  bool valid_ = false;
  std::string text_;
};

}  // namespace edgefront::http
