// Writing HTTP/1.1 heads and chunk framing.
#pragma once

#include <string>

#include "http/message.h"

namespace edgefront::http {

// "GET /x HTTP/1.1\r\n" + headers + "\r\n"
void serialize_request_head(const RequestHead& head, std::string& out);
// "HTTP/1.1 200 OK\r\n" + headers + "\r\n"
void serialize_response_head(const ResponseHead& head, std::string& out);
// Hex size line for a chunk of `size` bytes: "1a2\r\n".
void append_chunk_size(uint64_t size, std::string& out);

}  // namespace edgefront::http
