#include "obs/access_log_format.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace edgefront::obs {
namespace {

std::vector<std::string> split_tabs(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, '\t')) out.push_back(field);
  return out;
}

struct Fixture {
  RequestRecord record;
  http::RequestHead request;
  SteadyTime start = SteadyTime(std::chrono::seconds(1000));
  Fixture() {
    request.method = http::Method::kGet;
    request.target = "/img/a b.png?size=2&x=<y>";
    request.headers.add("Host", "www.example.com");
    request.headers.add("User-Agent", "Mozilla/5.0 (X11)");
    request.headers.add("Referer", "http://ref.example/");
    request.headers.add("Cookie", "session=1");
    record.client_ip = "192.0.2.7";
    record.client_port = 52100;
    record.received = start;
    record.first_byte = start + std::chrono::milliseconds(12);
    record.bytes_in = 310;
    record.bytes_out = 1450;
    record.status = 206;
    record.result = EdgeResult::kHit;
    record.response_result = EdgeResult::kHit;
    record.tls = true;
    record.tls_protocol = "TLSv1.3";
    record.tls_cipher = "TLS_AES_128_GCM_SHA256";
    record.http2 = true;
    record.content_type = "image/png";
    record.content_length = 100;
    record.range = std::make_pair(uint64_t{0}, uint64_t{99});
  }
  AccessLogEntry entry(bool cookies = false) const {
    // 2019-12-13 22:36:27 UTC
    return AccessLogEntry{record,
                          request,
                          SystemTime(std::chrono::seconds(1576276587)),
                          start + std::chrono::milliseconds(82),
                          "req-1",
                          "FRA1",
                          "d111.example.net",
                          cookies};
  }
};

TEST(AccessLogFormat, HeaderNamesTheFieldsInCloudFrontsOrder) {
  std::string header = cloudfront_log_header();
  EXPECT_TRUE(header.starts_with("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes "));
  EXPECT_NE(header.find(" x-edge-detailed-result-type sc-content-type sc-content-len "
                        "sc-range-start sc-range-end\n"),
            std::string::npos);
}

TEST(AccessLogFormat, CloudFrontLineHas33FieldsInOrder) {
  Fixture f;
  std::string line;
  append_access_log_line(AccessLogFormat::kCloudFront, f.entry(), line);
  ASSERT_EQ(line.back(), '\n');
  std::vector<std::string> v = split_tabs(line);
  ASSERT_EQ(v.size(), 33u);
  EXPECT_EQ(v[0], "2019-12-13");
  EXPECT_EQ(v[1], "22:36:27");
  EXPECT_EQ(v[2], "FRA1");
  EXPECT_EQ(v[3], "1450");
  EXPECT_EQ(v[4], "192.0.2.7");
  EXPECT_EQ(v[5], "GET");
  EXPECT_EQ(v[6], "d111.example.net");
  EXPECT_EQ(v[7], "/img/a%20b.png");
  EXPECT_EQ(v[8], "206");
  EXPECT_EQ(v[9], "http://ref.example/");
  EXPECT_EQ(v[10], "Mozilla/5.0%20(X11)");
  EXPECT_EQ(v[11], "size=2&x=%3Cy%3E");
  EXPECT_EQ(v[12], "-");  // cookies are logged only when asked
  EXPECT_EQ(v[13], "Hit");
  EXPECT_EQ(v[14], "req-1");
  EXPECT_EQ(v[15], "www.example.com");
  EXPECT_EQ(v[16], "https");
  EXPECT_EQ(v[17], "310");
  EXPECT_EQ(v[18], "0.082");
  EXPECT_EQ(v[19], "-");
  EXPECT_EQ(v[20], "TLSv1.3");
  EXPECT_EQ(v[21], "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(v[22], "Hit");
  EXPECT_EQ(v[23], "HTTP/2.0");
  EXPECT_EQ(v[24], "-");
  EXPECT_EQ(v[25], "-");
  EXPECT_EQ(v[26], "52100");
  EXPECT_EQ(v[27], "0.012");
  EXPECT_EQ(v[28], "Hit");
  EXPECT_EQ(v[29], "image/png");
  EXPECT_EQ(v[30], "100");
  EXPECT_EQ(v[31], "0");
  EXPECT_EQ(v[32], "99");
}

TEST(AccessLogFormat, ErrorsCarryTheirDetailedTypeAndNothingSentIs000) {
  Fixture f;
  f.record.status = 0;
  f.record.first_byte.reset();
  f.record.result = EdgeResult::kError;
  f.record.detailed_error = "OriginConnectError";
  f.record.tls = false;
  f.record.tls_protocol = "";
  f.record.tls_cipher = "";
  f.record.http2 = false;
  f.record.range.reset();
  f.record.content_length.reset();
  f.record.content_type.clear();
  std::string line;
  append_access_log_line(AccessLogFormat::kCloudFront, f.entry(true), line);
  std::vector<std::string> v = split_tabs(line);
  ASSERT_EQ(v.size(), 33u);
  EXPECT_EQ(v[8], "000");
  EXPECT_EQ(v[12], "session=1");
  EXPECT_EQ(v[13], "Error");
  EXPECT_EQ(v[16], "http");
  EXPECT_EQ(v[20], "-");
  EXPECT_EQ(v[21], "-");
  EXPECT_EQ(v[22], "Hit");  // the response result is what it was when the answer began
  EXPECT_EQ(v[23], "HTTP/1.1");
  EXPECT_EQ(v[27], "-");
  EXPECT_EQ(v[28], "OriginConnectError");
  EXPECT_EQ(v[29], "-");
  EXPECT_EQ(v[30], "-");
  EXPECT_EQ(v[31], "-");
}

TEST(AccessLogFormat, EncodingFollowsCloudFrontsTable) {
  struct Case {
    std::string in;
    std::string out;
  };
  for (const Case& c : std::vector<Case>{
           {"", "-"},
           {"plain/path-1_2.txt", "plain/path-1_2.txt"},
           {"a b\tc", "a%20b%09c"},
           {"<>\"#%{}|\\^~[]`'", "%3C%3E%22%23%25%7B%7D%7C%5C%5E%7E%5B%5D%60%27"},
           {std::string("\x01\x7f\xc3\xa9", 4), "%01%7F%C3%A9"},
           {"a=1&b=2;c", "a=1&b=2;c"},
       }) {
    std::string out;
    append_log_encoded(c.in, out);
    EXPECT_EQ(out, c.out) << c.in;
  }
}

TEST(AccessLogFormat, JsonLinesCarryTheSameFieldsWithNullForAbsent) {
  Fixture f;
  f.request.headers.add("X-Forwarded-For", "203.0.113.9");
  f.request.target = "/q\"uote\\?a=\x01";
  std::string line;
  append_access_log_line(AccessLogFormat::kJsonLines, f.entry(), line);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_TRUE(line.starts_with("{\"date\":\"2019-12-13\",\"time\":\"22:36:27\""));
  EXPECT_NE(line.find("\"cs-uri-stem\":\"/q\\\"uote\\\\\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"cs-uri-query\":\"a=\\u0001\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"cs(Cookie)\":null"), std::string::npos);
  EXPECT_NE(line.find("\"x-forwarded-for\":\"203.0.113.9\""), std::string::npos);
  EXPECT_NE(line.find("\"sc-range-end\":\"99\"}"), std::string::npos);
}

}  // namespace
}  // namespace edgefront::obs
