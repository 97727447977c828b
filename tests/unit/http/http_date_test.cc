#include "http/http_date.h"

#include <gtest/gtest.h>

#include <chrono>

namespace edgefront::http {
namespace {

using namespace std::chrono;

// 784111777 = Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
const SystemTime kExample{seconds(784111777)};

TEST(HttpDate, Format) {
  EXPECT_EQ(format_http_date(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(SystemTime{}), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(SystemTime{seconds(951782400)}), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format_http_date(SystemTime{seconds(1700000000)}), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(format_http_date(SystemTime{seconds(-1)}), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(format_http_date(SystemTime{seconds(4102444800)}), "Fri, 01 Jan 2100 00:00:00 GMT");
  // Sub-second part truncated.
  EXPECT_EQ(format_http_date(kExample + milliseconds(999)), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(HttpDate, ParseThreeForms) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kExample);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kExample);
  EXPECT_EQ(parse_http_date("Sun Nov 16 08:49:37 1994"), kExample + days(10));
  EXPECT_EQ(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT "), kExample);  // OWS
}

TEST(HttpDate, RoundTrip) {
  for (int64_t s : {0LL, 1LL, 86399LL, 951868800LL, 1234567890LL, 1700000000LL, 4102444800LL}) {
    SystemTime t{seconds(s)};
    EXPECT_EQ(parse_http_date(format_http_date(t)), t) << s;
  }
}

TEST(HttpDate, Rfc850TwoDigitYear) {
  // Within 50 years in the future: this century; beyond: the previous one.
  int now_year = static_cast<int>(year_month_day{floor<days>(system_clock::now())}.year());
  int yy = (now_year + 10) % 100;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "Monday, 01-Jan-%02d 00:00:00 GMT", yy);
  auto t = parse_http_date(buf);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(static_cast<int>(year_month_day{floor<days>(*t)}.year()), now_year + 10);

  yy = (now_year + 60) % 100;
  std::snprintf(buf, sizeof(buf), "Monday, 01-Jan-%02d 00:00:00 GMT", yy);
  t = parse_http_date(buf);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(static_cast<int>(year_month_day{floor<days>(*t)}.year()), now_year + 60 - 100);
}

TEST(HttpDate, RejectsMalformed) {
  for (const char* bad :
       {"", "garbage", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Jan 1994 08:49:37 GMT",
        "Sun, 29 Feb 1995 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMTx",
        "Sunday, 06 Nov 1994 08:49:37 GMT", "Sun, 06-Nov-94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT,"}) {
    EXPECT_FALSE(parse_http_date(bad).has_value()) << bad;
  }
}

// Found by http_date_fuzz: a four-digit year beyond 2262 overflowed the 64-bit nanosecond
// SystemTime (signed overflow, UB). Such dates clamp to the clock's range instead.
TEST(HttpDate, ClampsYearsBeyondClockRange) {
  const SystemTime last{seconds(9223372036)};    // Fri, 11 Apr 2262 23:47:16 GMT
  const SystemTime first{seconds(-9223372036)};  // Tue, 21 Sep 1677 00:12:44 GMT
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"), last);
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:60 GMT"), last);
  EXPECT_EQ(parse_http_date("Fri Dec 31 23:59:59 9999"), last);
  EXPECT_EQ(parse_http_date("Sat, 01 Jan 0000 00:00:00 GMT"), first);
  EXPECT_EQ(parse_http_date("Fri, 11 Apr 2262 23:47:16 GMT"), last);
  EXPECT_EQ(parse_http_date("Tue, 21 Sep 1677 00:12:44 GMT"), first);
  EXPECT_EQ(format_http_date(last), "Fri, 11 Apr 2262 23:47:16 GMT");
  EXPECT_EQ(parse_http_date(format_http_date(last)), last);
  EXPECT_EQ(parse_http_date(format_http_date(first)), first);
}

TEST(HttpDate, CaseInsensitiveNames) {
  EXPECT_EQ(parse_http_date("sun, 06 nov 1994 08:49:37 GMT"), kExample);
}

TEST(DateCache, ReformatsOnlyWhenSecondChanges) {
  DateCache cache;
  std::string_view a = cache.now(kExample);
  EXPECT_EQ(a, "Sun, 06 Nov 1994 08:49:37 GMT");
  const char* data = a.data();
  std::string_view b = cache.now(kExample + milliseconds(500));
  EXPECT_EQ(b, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(b.data(), data);  // same buffer, not reformatted
  EXPECT_EQ(cache.now(kExample + seconds(1)), "Sun, 06 Nov 1994 08:49:38 GMT");
  EXPECT_EQ(cache.now(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");  // going back works too
}

}  // namespace
}  // namespace edgefront::http
