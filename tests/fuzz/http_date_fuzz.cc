// Fuzzes the HTTP date parser (If-Modified-Since, If-Range and origin dates are untrusted): any
// date it accepts must survive format_http_date and parse back to the same instant, and any
// time point the clock can hold must format to a date that parses back to its whole second.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_date.h"

using edgefront::SystemTime;
using edgefront::http::format_http_date;
using edgefront::http::parse_http_date;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "http_date_fuzz: %s\n", what);
  std::abort();
}

using std::chrono::seconds;

// Whole seconds, compared as seconds: converting floor(SystemTime::min()) back to nanoseconds
// would overflow.
std::chrono::sys_seconds whole(SystemTime t) { return std::chrono::floor<seconds>(t); }

// format -> parse must be the identity on whole seconds (the clock's first partial second
// aside: it formats to a second the clock cannot hold, which parses clamped).
void check_round_trip(SystemTime t) {
  std::string text = format_http_date(t);
  check(text.size() == 29, "IMF-fixdate is 29 characters");
  std::optional<SystemTime> back = parse_http_date(text);
  check(back.has_value(), "formatted date parses");
  if (whole(t) >= std::chrono::ceil<seconds>(SystemTime::min())) {
    check(whole(*back) == whole(t), "round trip keeps the instant");
    check(format_http_date(*back) == text, "formatting is stable");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (std::optional<SystemTime> t = parse_http_date(text)) {
    check(*t == SystemTime{whole(*t)}, "parsed dates are whole seconds");
    check_round_trip(*t);
  }
  // The same bytes as a raw clock value (any representable instant).
  if (size >= sizeof(int64_t)) {
    int64_t ticks = 0;
    std::memcpy(&ticks, data, sizeof(ticks));
    check_round_trip(SystemTime{SystemTime::duration{ticks}});
  }
  return 0;
}
