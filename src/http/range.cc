#include "http/range.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "base/strings.h"
#include "http/http_date.h"

namespace edgefront::http {

namespace {

// Beyond this many ranges the request is treated as abusive and served whole (RFC 9110 14.2
// lets a server ignore such a Range).
constexpr size_t kMaxRanges = 64;

// Digits only; a number past 64 bits is treated as invalid syntax (the Range is ignored).
std::optional<uint64_t> parse_position(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

RangeRequest ignore() { return RangeRequest{}; }

}  // namespace

RangeRequest parse_range(std::string_view header, uint64_t size) {
  header = trim(header);
  size_t eq = header.find('=');
  if (eq == std::string_view::npos || !iequals(header.substr(0, eq), "bytes")) return ignore();
  std::string_view set = header.substr(eq + 1);
  std::vector<ByteRange> satisfiable;
  size_t specs = 0;
  bool done = false;
  while (!done) {
    size_t comma = set.find(',');
    std::string_view spec = trim(set.substr(0, comma));
    done = comma == std::string_view::npos;
    if (!done) set.remove_prefix(comma + 1);
    if (spec.empty()) continue;  // empty list elements are allowed (RFC 9110 5.6.1)
    if (++specs > kMaxRanges) return ignore();
    size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return ignore();
    std::string_view first_text = trim(spec.substr(0, dash));
    std::string_view last_text = trim(spec.substr(dash + 1));
    if (first_text.empty()) {  // suffix-range: the last N bytes
      std::optional<uint64_t> n = parse_position(last_text);
      if (!n) return ignore();
      if (*n == 0 || size == 0) continue;  // unsatisfiable
      uint64_t len = std::min(*n, size);
      satisfiable.push_back(ByteRange{size - len, size - 1});
      continue;
    }
    std::optional<uint64_t> first = parse_position(first_text);
    if (!first) return ignore();
    uint64_t last = std::numeric_limits<uint64_t>::max();
    if (!last_text.empty()) {
      std::optional<uint64_t> l = parse_position(last_text);
      if (!l || *l < *first) return ignore();  // descending: invalid (spec 3.12)
      last = *l;
    }
    if (*first >= size) continue;  // unsatisfiable
    satisfiable.push_back(ByteRange{*first, std::min(last, size - 1)});
  }
  if (specs == 0) return ignore();
  if (satisfiable.empty()) return RangeRequest{RangeRequest::Kind::kUnsatisfiable, {}};
  // Overlapping ranges: served whole, as CloudFront does (spec 3.12).
  std::vector<ByteRange> sorted = satisfiable;
  std::sort(sorted.begin(), sorted.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.first < b.first; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].first <= sorted[i - 1].last) return ignore();
  }
  return RangeRequest{RangeRequest::Kind::kSatisfiable, std::move(satisfiable)};
}

bool if_range_matches(std::string_view if_range, const HeaderList& stored) {
  if_range = trim(if_range);
  if (if_range.starts_with("W/")) return false;  // weak tags never match
  if (if_range.starts_with("\"")) {
    std::optional<std::string_view> etag = stored.get("ETag");
    // Strong comparison: identical opaque tags, neither weak.
    return etag && trim(*etag) == if_range && if_range.size() >= 2 && if_range.back() == '"';
  }
  std::optional<SystemTime> date = parse_http_date(if_range);
  std::optional<std::string_view> lm_text = stored.get("Last-Modified");
  if (!date || !lm_text) return false;
  std::optional<SystemTime> lm = parse_http_date(trim(*lm_text));
  if (!lm || *lm != *date) return false;
  // The date must be a strong validator: the response was generated at least a second after
  // the last modification (RFC 9110 8.8.2.2).
  if (std::optional<std::string_view> d = stored.get("Date")) {
    std::optional<SystemTime> generated = parse_http_date(trim(*d));
    if (generated && *generated - *lm < std::chrono::seconds(1)) return false;
  }
  return true;
}

RangeRequest evaluate_range(const RequestHead& request, const HeaderList& stored, uint64_t size) {
  if (request.method != Method::kGet) return ignore();
  if (request.headers.count("Range") != 1) return ignore();
  if (std::optional<std::string_view> if_range = request.headers.get("If-Range")) {
    if (!if_range_matches(*if_range, stored)) return ignore();
  }
  return parse_range(*request.headers.get("Range"), size);
}

std::string content_range(const ByteRange& range, uint64_t size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
         std::to_string(size);
}

std::string unsatisfied_content_range(uint64_t size) { return "bytes */" + std::to_string(size); }

}  // namespace edgefront::http
