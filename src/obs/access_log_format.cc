#include "obs/access_log_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>

namespace edgefront::obs {

namespace {

constexpr std::array<std::string_view, 33> kFields = {
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
};

bool needs_encoding(unsigned char c) {
  if (c <= 32 || c >= 127) return true;
  switch (c) {
    case '<':
    case '>':
    case '"':
    case '#':
    case '%':
    case '{':
    case '}':
    case '|':
    case '\\':
    case '^':
    case '~':
    case '[':
    case ']':
    case '`':
    case '\'':
      return true;
    default:
      return false;
  }
}

// Numbers and times of one line, formatted without allocating.
struct Scratch {
  char date[16], time[16], sc_bytes[24], status[8], cs_bytes[24], taken[24], port[8], ttfb[24],
      content_len[24], range_start[24], range_end[24];
};

template <size_t N, class... Args>
std::string_view format_into(char (&buf)[N], fmt::format_string<Args...> f, Args&&... args) {
  auto result = fmt::format_to_n(buf, N, f, std::forward<Args>(args)...);
  return {buf, std::min(result.size, N)};
}

template <size_t N>
std::string_view seconds_ms(char (&buf)[N], std::chrono::steady_clock::duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 0) ms = 0;
  return format_into(buf, "{}.{:03}", ms / 1000, ms % 1000);
}

std::string_view protocol_version(const RequestRecord& r, const http::RequestHead& request) {
  if (r.http2) return "HTTP/2.0";
  if (request.version.major == 1 && request.version.minor == 0) return "HTTP/1.0";
  return "HTTP/1.1";
}

std::string_view method_text(const http::RequestHead& request) {
  if (!request.method_text.empty()) return request.method_text;
  return http::method_name(request.method);
}

// The 33 values in CloudFront's order, as text before encoding; empty marks an absent value.
std::array<std::string_view, 33> field_values(const AccessLogEntry& e, Scratch& s) {
  const RequestRecord& r = e.record;
  const http::RequestHead& q = e.request;
  std::array<std::string_view, 33> v;
  std::time_t t = std::chrono::system_clock::to_time_t(e.finished);
  std::tm tm{};
  gmtime_r(&t, &tm);
  v[0] = format_into(s.date, "{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  v[1] = format_into(s.time, "{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
  v[2] = e.edge_location;
  v[3] = format_into(s.sc_bytes, "{}", r.bytes_out);
  v[4] = r.client_ip;
  v[5] = method_text(q);
  v[6] = e.host;
  v[7] = q.path();
  v[8] = r.status == 0 ? std::string_view("000") : format_into(s.status, "{}", r.status);
  v[9] = q.headers.get("Referer").value_or("");
  v[10] = q.headers.get("User-Agent").value_or("");
  v[11] = q.query();
  if (e.include_cookies) v[12] = q.headers.get("Cookie").value_or("");
  v[13] = edge_result_name(r.result);
  v[14] = e.request_id;
  v[15] = q.headers.get("Host").value_or("");
  v[16] = r.tls ? "https" : "http";
  v[17] = format_into(s.cs_bytes, "{}", r.bytes_in);
  v[18] = seconds_ms(s.taken, e.finished_steady - r.received);
  v[19] = q.headers.get("X-Forwarded-For").value_or("");
  v[20] = r.tls_protocol;
  v[21] = r.tls_cipher;
  v[22] = edge_result_name(r.response_result);
  v[23] = protocol_version(r, q);
  // 24, 25: field-level encryption is not supported.
  v[26] = format_into(s.port, "{}", r.client_port);
  if (r.first_byte) v[27] = seconds_ms(s.ttfb, *r.first_byte - r.received);
  v[28] = r.result == EdgeResult::kError && !r.detailed_error.empty() ? r.detailed_error
                                                                      : edge_result_name(r.result);
  v[29] = r.content_type;
  if (r.content_length) v[30] = format_into(s.content_len, "{}", *r.content_length);
  if (r.range) {
    v[31] = format_into(s.range_start, "{}", r.range->first);
    v[32] = format_into(s.range_end, "{}", r.range->second);
  }
  return v;
}

void append_json_string(std::string_view s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else if (c >= 0x80) {
          // Request fields are bytes, not necessarily UTF-8: keep the JSON valid.
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace

std::string cloudfront_log_header() {
  std::string out = "#Version: 1.0\n#Fields:";
  for (std::string_view f : kFields) {
    out += ' ';
    out += f;
  }
  out += '\n';
  return out;
}

void append_log_encoded(std::string_view value, std::string& out) {
  if (value.empty()) {
    out += '-';
    return;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if (needs_encoding(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

void append_access_log_line(AccessLogFormat format, const AccessLogEntry& entry, std::string& out) {
  Scratch scratch;
  std::array<std::string_view, 33> values = field_values(entry, scratch);
  if (format == AccessLogFormat::kCloudFront) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += '\t';
      append_log_encoded(values[i], out);
    }
    out += '\n';
    return;
  }
  out += '{';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(kFields[i], out);
    out += ':';
    if (values[i].empty()) {
      out += "null";
    } else {
      append_json_string(values[i], out);
    }
  }
  out += "}\n";
}

}  // namespace edgefront::obs
