#include "http/http_date.h"

#include <algorithm>
#include <array>
#include <chrono>

#include "base/strings.h"

namespace edgefront::http {

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void put2(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + (v / 10) % 10);
  out[1] = static_cast<char>('0' + v % 10);
}

// Cursor over the input; every parse step returns false on mismatch.
struct Scanner {
  std::string_view s;

  bool literal(std::string_view lit) {
    if (s.substr(0, lit.size()) != lit) return false;
    s.remove_prefix(lit.size());
    return true;
  }
  bool digits(size_t n, int& out) {
    if (s.size() < n) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    out = v;
    s.remove_prefix(n);
    return true;
  }
  template <size_t N>
  bool name(const std::array<std::string_view, N>& names, int& index) {
    for (size_t i = 0; i < N; ++i) {
      if (s.size() >= names[i].size() && iequals(s.substr(0, names[i].size()), names[i])) {
        // Do not accept a prefix of a longer word ("Sun" of "Sunday").
        if (s.size() > names[i].size()) {
          char next = s[names[i].size()];
          if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z')) continue;
        }
        s.remove_prefix(names[i].size());
        index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }
  // time-of-day = hour ":" minute ":" second
  bool time_of_day(int& h, int& m, int& sec) {
    return digits(2, h) && literal(":") && digits(2, m) && literal(":") && digits(2, sec);
  }
};

std::optional<SystemTime> make_time(int year, int month0, int day, int h, int m, int sec) {
  if (h > 23 || m > 59 || sec > 60) return std::nullopt;  // 60: leap second
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month0 + 1)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  sys_seconds t = sys_days{ymd} + hours{h} + minutes{m} + seconds{sec};
  // SystemTime counts nanoseconds in 64 bits (years 1678-2262): a four-digit year outside that
  // would overflow the conversion, so clamp to the representable whole seconds.
  constexpr sys_seconds kMin = ceil<seconds>(SystemTime::min());
  constexpr sys_seconds kMax = floor<seconds>(SystemTime::max());
  return time_point_cast<SystemTime::duration>(std::clamp(t, kMin, kMax));
}

// RFC 9110: a two-digit year more than 50 years in the future is in the past century.
int expand_two_digit_year(int yy) {
  int now_year = static_cast<int>(year_month_day{floor<days>(system_clock::now())}.year());
  int year = now_year - now_year % 100 + yy;
  if (year > now_year + 50) year -= 100;
  return year;
}

}  // namespace

std::string format_http_date(SystemTime t) {
  sys_seconds secs = floor<seconds>(t);
  sys_days day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss<seconds> tod{secs - day};
  unsigned weekday_index = weekday{day}.c_encoding();  // 0 = Sunday
  int y = static_cast<int>(ymd.year());

  // "Sun, 06 Nov 1994 08:49:37 GMT"
  std::string out(29, ' ');
  char* p = out.data();
  kDays[weekday_index].copy(p, 3);
  p[3] = ',';
  put2(p + 5, static_cast<unsigned>(ymd.day()));
  kMonths[static_cast<unsigned>(ymd.month()) - 1].copy(p + 8, 3);
  if (y < 0 || y > 9999) y = y < 0 ? 0 : 9999;  // out of the format's range: clamp
  put2(p + 12, static_cast<unsigned>(y / 100));
  put2(p + 14, static_cast<unsigned>(y % 100));
  put2(p + 17, static_cast<unsigned>(tod.hours().count()));
  p[19] = ':';
  put2(p + 20, static_cast<unsigned>(tod.minutes().count()));
  p[22] = ':';
  put2(p + 23, static_cast<unsigned>(tod.seconds().count()));
  std::string_view("GMT").copy(p + 26, 3);
  return out;
}

std::optional<SystemTime> parse_http_date(std::string_view text) {
  text = trim(text);
  int wday = 0, day = 0, month = 0, year = 0, h = 0, m = 0, sec = 0;

  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  {
    Scanner sc{text};
    if (sc.name(kDays, wday) && sc.literal(", ") && sc.digits(2, day) && sc.literal(" ") &&
        sc.name(kMonths, month) && sc.literal(" ") && sc.digits(4, year) && sc.literal(" ") &&
        sc.time_of_day(h, m, sec) && sc.literal(" GMT") && sc.s.empty()) {
      return make_time(year, month, day, h, m, sec);
    }
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  {
    Scanner sc{text};
    if (sc.name(kLongDays, wday) && sc.literal(", ") && sc.digits(2, day) && sc.literal("-") &&
        sc.name(kMonths, month) && sc.literal("-") && sc.digits(2, year) && sc.literal(" ") &&
        sc.time_of_day(h, m, sec) && sc.literal(" GMT") && sc.s.empty()) {
      return make_time(expand_two_digit_year(year), month, day, h, m, sec);
    }
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  {
    Scanner sc{text};
    if (sc.name(kDays, wday) && sc.literal(" ") && sc.name(kMonths, month) && sc.literal(" ")) {
      bool day_ok = sc.literal(" ") ? sc.digits(1, day) : sc.digits(2, day);
      if (day_ok && sc.literal(" ") && sc.time_of_day(h, m, sec) && sc.literal(" ") &&
          sc.digits(4, year) && sc.s.empty()) {
        return make_time(year, month, day, h, m, sec);
      }
    }
  }
  return std::nullopt;
}

std::string_view DateCache::now(SystemTime t) {
  long long second = floor<seconds>(t).time_since_epoch().count();
  if (!valid_ || second != second_) {
    text_ = format_http_date(t);
    second_ = second;
    valid_ = true;
  }
  return text_;
}

}  // namespace edgefront::http
