#include "upstream/resume_policy.h"

#include <charconv>

#include "base/strings.h"
#include "http/http_date.h"

namespace edgefront::upstream {

namespace {

bool strong_etag(std::string_view etag) {
  return etag.size() >= 2 && etag.front() == '"' && etag.back() == '"';
}

// RFC 9110 8.8.2.2: a Last-Modified at least a second before the Date it was sent with is
// strong. Origins without a Date get the benefit of the doubt: If-Range still makes the
// origin send everything when the date does not match exactly.
bool strong_last_modified(std::string_view last_modified, const http::HeaderList& headers) {
  std::optional<SystemTime> lm = http::parse_http_date(last_modified);
  if (!lm) return false;
  std::optional<std::string_view> date = headers.get("Date");
  if (!date) return true;
  std::optional<SystemTime> sent = http::parse_http_date(*date);
  return sent && *sent - *lm >= std::chrono::seconds(1);
}

std::optional<uint64_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t n = 0;
  auto [p, err] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (err != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return n;
}

std::string_view field(const http::HeaderList& headers, std::string_view name) {
  return trim(headers.get(name).value_or(""));
}

}  // namespace

std::optional<ResumePlan> plan_resume(const http::RequestHead& request,
                                      const http::ResponseHead& response, http::BodyLength length) {
  if (request.method != http::Method::kGet || request.headers.contains("Range") ||
      response.status != 200 || length.kind == http::BodyLength::Kind::kNone) {
    return std::nullopt;
  }
  const http::HeaderList& h = response.headers;
  if (iequals(field(h, "Accept-Ranges"), "none")) return std::nullopt;
  // A close-delimited body ends at the cut: nothing tells that it broke.
  if (length.kind == http::BodyLength::Kind::kUnknown && !h.contains("Transfer-Encoding")) {
    return std::nullopt;
  }
  ResumePlan plan;
  std::string_view etag = field(h, "ETag");
  std::string_view last_modified = field(h, "Last-Modified");
  if (strong_etag(etag)) {
    plan.if_range = etag;
  } else if (!last_modified.empty() && length.kind == http::BodyLength::Kind::kKnown &&
             strong_last_modified(last_modified, h)) {
    plan.if_range = last_modified;
  } else {
    return std::nullopt;
  }
  plan.etag = strong_etag(etag) ? etag : std::string_view();
  plan.last_modified = last_modified;
  plan.content_encoding = field(h, "Content-Encoding");
  if (length.kind == http::BodyLength::Kind::kKnown) plan.length = length.length;
  return plan;
}

void make_continuation_request(http::RequestHead& request, const ResumePlan& plan,
                               uint64_t offset) {
  for (std::string_view h : {"Range", "Request-Range", "If-Range", "If-Match", "If-None-Match",
                             "If-Modified-Since", "If-Unmodified-Since"}) {
    request.headers.remove(h);
  }
  request.headers.add("Range", "bytes=" + std::to_string(offset) + "-");
  request.headers.add("If-Range", plan.if_range);
}

std::optional<ContentRange> parse_content_range(std::string_view value) {
  value = trim(value);
  constexpr std::string_view kUnit = "bytes ";
  if (value.size() < kUnit.size() || !iequals(value.substr(0, kUnit.size()), kUnit)) {
    return std::nullopt;
  }
  value = trim(value.substr(kUnit.size()));
  size_t dash = value.find('-');
  size_t slash = value.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  std::optional<uint64_t> first = parse_number(value.substr(0, dash));
  std::optional<uint64_t> last = parse_number(value.substr(dash + 1, slash - dash - 1));
  if (!first || !last || *last < *first) return std::nullopt;
  ContentRange range{*first, *last, std::nullopt};
  std::string_view complete = value.substr(slash + 1);
  if (complete != "*") {
    range.complete = parse_number(complete);
    if (!range.complete || *range.complete <= *last) return std::nullopt;
  }
  return range;
}

const char* continuation_check_name(ContinuationCheck check) {
  switch (check) {
    case ContinuationCheck::kSplice:
      return "splice";
    case ContinuationCheck::kNotPartial:
      return "not-partial";
    case ContinuationCheck::kWrongRange:
      return "wrong-range";
    case ContinuationCheck::kValidatorChanged:
      return "validator-changed";
    case ContinuationCheck::kEncodingChanged:
      return "encoding-changed";
  }
  return "wrong-range";
}

ContinuationCheck check_continuation(const ResumePlan& plan, uint64_t offset,
                                     const http::ResponseHead& response) {
  if (response.status != 206) return ContinuationCheck::kNotPartial;
  const http::HeaderList& h = response.headers;
  // RFC 9110 15.3.7: a 206 carries the ETag a 200 would have; a different or missing one
  // cannot be trusted to name the same bytes.
  if (!plan.etag.empty() && field(h, "ETag") != plan.etag) {
    return ContinuationCheck::kValidatorChanged;
  }
  std::string_view last_modified = field(h, "Last-Modified");
  if (!last_modified.empty() && last_modified != plan.last_modified) {
    return ContinuationCheck::kValidatorChanged;
  }
  if (!iequals(field(h, "Content-Encoding"), plan.content_encoding)) {
    return ContinuationCheck::kEncodingChanged;
  }
  std::optional<ContentRange> range = parse_content_range(field(h, "Content-Range"));
  // The rest of the body, to its end: the complete length must be known to say so.
  if (!range || range->first != offset || !range->complete || range->last + 1 != *range->complete ||
      (plan.length && *range->complete != *plan.length)) {
    return ContinuationCheck::kWrongRange;
  }
  if (std::optional<std::string_view> cl = h.get("Content-Length")) {
    std::optional<uint64_t> n = parse_number(trim(*cl));
    if (!n || *n != range->last - range->first + 1) return ContinuationCheck::kWrongRange;
  }
  return ContinuationCheck::kSplice;
}

}  // namespace edgefront::upstream
