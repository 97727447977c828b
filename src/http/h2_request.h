// Builds a RequestHead from one HTTP/2 header block (RFC 9113 8.3): pseudo-headers first and
// exactly once, no connection-specific fields, lower-case names, `:authority` as Host, the
// header byte and count limits. Pure, so the rules are unit-tested and fuzzed without I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.h"

namespace edgefront::http {

class H2RequestBuilder {
 public:
  H2RequestBuilder(size_t max_header_bytes, size_t max_header_count)
      : max_bytes_(max_header_bytes), max_count_(max_header_count) {}

  // One decoded field. Returns false once the block is malformed (a stream error) or over a
  // limit; the first reason sticks.
  bool add(std::string_view name, std::string_view value);
  // After the last field (END_HEADERS). `has_body`: the HEADERS frame did not end the stream.
  bool finish(bool has_body);

  RequestHead& head() { return head_; }
  // 0 while fine; 400 malformed, 431 too many or too large header fields.
  int status() const { return status_; }
  const std::string& reason() const { return reason_; }
  size_t header_bytes() const { return bytes_; }

 private:
  bool fail(int status, std::string reason);

  RequestHead head_;
  size_t max_bytes_;
  size_t max_count_;
  size_t bytes_ = 0;
  size_t count_ = 0;
  bool regular_seen_ = false;
  bool have_method_ = false;
  bool have_scheme_ = false;
  bool have_path_ = false;
  bool have_authority_ = false;
  int status_ = 0;
  std::string reason_;
};

}  // namespace edgefront::http
