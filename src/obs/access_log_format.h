// CloudFront's standard access log line (cloudfront-spec.md section 8: W3C extended format,
// tab-separated, 33 fields in CloudFront's order) and a JSON-lines form with the same fields,
// for log shippers. Pure: a record in, text out.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "http/message.h"
#include "obs/request_record.h"

namespace edgefront::obs {

enum class AccessLogFormat { kCloudFront, kJsonLines };

// Everything one line says: the record, the request as the viewer sent it, and the facts the
// log adds.
struct AccessLogEntry {
  const RequestRecord& record;
  const http::RequestHead& request;
  SystemTime finished;          // when the response ended (date and time fields)
  SteadyTime finished_steady;   // the same instant, for time-taken
  std::string_view request_id;  // x-edge-request-id
  std::string_view edge_location;
  std::string_view host;         // cs(Host): the distribution's domain name
  bool include_cookies = false;  // cs(Cookie) logged, as CloudFront's IncludeCookies
};

// The two header lines of a CloudFront-format file ("#Version: 1.0", "#Fields: ..."), each
// ending in '\n'.
std::string cloudfront_log_header();
// Appends one line, ending in '\n'.
void append_access_log_line(AccessLogFormat format, const AccessLogEntry& entry, std::string& out);
// CloudFront's URL-encoding of a log field: controls, space, non-ASCII and <>"#%{}|\^~[]`'
// become %XX; an empty value becomes "-".
void append_log_encoded(std::string_view value, std::string& out);

}  // namespace edgefront::obs
