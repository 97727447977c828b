// Writing HTTP/1.1 heads and chunk framing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/packed_head.h"

namespace edgefront::http {

// "GET /x HTTP/1.1\r\n" + headers + "\r\n"
void serialize_request_head(const RequestHead& head, std::string& out);
// Hex size line for a chunk of `size` bytes: "1a2\r\n".
void append_chunk_size(uint64_t size, std::string& out);
// "Name: value\r\n"
void append_header_line(std::string_view name, std::string_view value, std::string& out);
void append_header_line(std::string_view name, uint64_t value, std::string& out);
// Decimal digits, without fmt's format-string parsing (per-answer fields).
void append_decimal(uint64_t value, std::string& out);

// A response head without its framing: the status line and every field except the ones the
// connection sets itself (Content-Length, Transfer-Encoding, Connection, Keep-Alive), with no
// closing blank line. A cached object's is serialized once and reused by every hit.
struct WireHead {
  int status = 0;
  bool has_date = false;
  std::string lines;  // "HTTP/1.1 200 OK\r\n" + "Name: value\r\n"...
};

// Appends `head` without its framing to `out`, also leaving out the fields named in
// `also_skip` (a cached object's Age and X-Cache, which each answer sets afresh). Returns true
// if the head has a Date.
bool append_unframed_head(const ResponseHead& head,
                          std::initializer_list<std::string_view> also_skip, std::string& out);
// A stored head the same way, into a WireHead of its own.
void serialize_wire_head(const PackedHead& head, std::initializer_list<std::string_view> also_skip,
                         WireHead& out);
// True for the fields serialize_wire_head always leaves out.
bool is_framing_field(std::string_view name);

}  // namespace edgefront::http
