#include "http/h1_serialize.h"

#include <fmt/format.h>

namespace edgefront::http {

namespace {
void append_headers(const HeaderList& headers, std::string& out) {
  for (const auto& [name, value] : headers.fields()) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  out.append("\r\n");
}
}  // namespace

void serialize_request_head(const RequestHead& head, std::string& out) {
  out.append(head.method == Method::kOther ? std::string_view(head.method_text)
                                           : method_name(head.method));
  out.push_back(' ');
  out.append(head.target);
  out.append(" HTTP/1.1\r\n");
  append_headers(head.headers, out);
}

void serialize_response_head(const ResponseHead& head, std::string& out) {
  out.append(fmt::format("HTTP/1.1 {} ", head.status));
  out.append(head.reason.empty() ? reason_phrase(head.status) : std::string_view(head.reason));
  out.append("\r\n");
  append_headers(head.headers, out);
}

void append_chunk_size(uint64_t size, std::string& out) {
  out.append(fmt::format("{:x}\r\n", size));
}

}  // namespace edgefront::http
