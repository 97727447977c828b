#include "http/h2_request.h"

#include <charconv>

namespace edgefront::http {

namespace {

// RFC 9113 8.2.2: fields that only mean something on an HTTP/1.1 connection.
bool connection_specific(std::string_view name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade";
}

bool has_upper_case(std::string_view name) {
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

}  // namespace

bool H2RequestBuilder::fail(int status, std::string reason) {
  if (status_ == 0) {
    status_ = status;
    reason_ = std::move(reason);
  }
  return false;
}

bool H2RequestBuilder::add(std::string_view name, std::string_view value) {
  // HPACK's own accounting: name + value + 32 per field (RFC 9113 6.5.2). Counted even
  // after a failure, so the caller can tell a flood from a mistake.
  bytes_ += name.size() + value.size() + 32;
  if (status_ != 0) return false;
  if (bytes_ > max_bytes_) return fail(431, "request header fields too large");
  if (++count_ > max_count_) return fail(431, "too many request header fields");
  if (name.empty()) return fail(400, "empty header name");
  if (has_upper_case(name)) return fail(400, "upper-case header name");
  if (name[0] == ':') {
    if (regular_seen_) return fail(400, "pseudo-header after regular fields");
    bool* seen = nullptr;
    if (name == ":method") {
      seen = &have_method_;
      head_.method_text = std::string(value);
      head_.method = parse_method(value);
    } else if (name == ":scheme") {
      seen = &have_scheme_;
    } else if (name == ":path") {
      seen = &have_path_;
      head_.target = std::string(value);
    } else if (name == ":authority") {
      seen = &have_authority_;
      head_.headers.add("Host", value);
    } else {
      return fail(400, "unknown pseudo-header " + std::string(name));
    }
    if (*seen) return fail(400, "duplicate pseudo-header " + std::string(name));
    *seen = true;
    return true;
  }
  regular_seen_ = true;
  if (connection_specific(name)) return fail(400, "connection-specific header field");
  if (name == "te" && value != "trailers") return fail(400, "TE other than trailers");
  if (name == "host") {
    // :authority wins when both are present (RFC 9113 8.3.1); Host alone is accepted.
    if (have_authority_ || head_.headers.contains("Host")) return true;
    head_.headers.add("Host", value);
    return true;
  }
  if (name == "content-length") {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
      return fail(400, "bad content-length");
    }
    if (head_.content_length && *head_.content_length != n) {
      return fail(400, "conflicting content-length");
    }
    head_.content_length = n;
  }
  head_.headers.add(name, value);
  return true;
}

bool H2RequestBuilder::finish(bool has_body) {
  if (status_ != 0) return false;
  if (head_.method_text == "CONNECT") return fail(405, "CONNECT is not supported");
  if (!have_method_ || !have_scheme_ || !have_path_) {
    return fail(400, "missing :method, :scheme or :path");
  }
  if (head_.target.empty() || head_.target[0] != '/') {
    return fail(400, "request target must be a path");
  }
  if (!head_.headers.contains("Host")) return fail(400, "missing :authority");
  head_.version = Version{2, 0};
  head_.keep_alive = true;
  // A body of unknown length is framed by DATA frames; tell the pipeline it exists.
  head_.chunked = has_body && !head_.content_length;
  if (!has_body && head_.content_length && *head_.content_length != 0) {
    return fail(400, "content-length without a body");
  }
  return true;
}

}  // namespace edgefront::http
