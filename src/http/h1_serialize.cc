#include "http/h1_serialize.h"

#include <algorithm>
#include <charconv>

#include "base/strings.h"

namespace edgefront::http {

namespace {
void append_headers(const HeaderList& headers, std::string& out) {
  for (const auto& [name, value] : headers.fields()) append_header_line(name, value, out);
  out.append("\r\n");
}

template <int Base>
void append_number(uint64_t value, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value, Base);
  out.append(digits, end);
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

void append_chunk_size(uint64_t size, std::string& out) {
  append_number<16>(size, out);
  out.append("\r\n");
}

void append_header_line(std::string_view name, std::string_view value, std::string& out) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void append_decimal(uint64_t value, std::string& out) { append_number<10>(value, out); }

void append_header_line(std::string_view name, uint64_t value, std::string& out) {
  out.append(name);
  out.append(": ");
  append_decimal(value, out);
  out.append("\r\n");
}

bool is_framing_field(std::string_view name) {
  switch (name.size()) {
    case 10:
      return iequals(name, "Connection") || iequals(name, "Keep-Alive");
    case 14:
      return iequals(name, "Content-Length");
    case 17:
      return iequals(name, "Transfer-Encoding");
    default:
      return false;
  }
}

namespace {

// `fields`: a HeaderList's fields or a PackedHead, both (name, value) pairs.
template <class Fields>
bool append_unframed(int status, std::string_view reason, const Fields& fields,
                     std::initializer_list<std::string_view> also_skip, std::string& out) {
  out.append("HTTP/1.1 ");
  append_number<10>(static_cast<uint64_t>(status), out);
  out.push_back(' ');
  out.append(reason.empty() ? reason_phrase(status) : reason);
  out.append("\r\n");
  bool has_date = false;
  for (const auto& field : fields) {
    const std::string_view name = field.first;
    if (is_framing_field(name)) continue;
    if (std::any_of(also_skip.begin(), also_skip.end(),
                    [&name](std::string_view skip) { return iequals(name, skip); })) {
      continue;
    }
    if (!has_date && iequals(name, "Date")) has_date = true;
    append_header_line(name, field.second, out);
  }
  return has_date;
}

}  // namespace

bool append_unframed_head(const ResponseHead& head,
                          std::initializer_list<std::string_view> also_skip, std::string& out) {
  return append_unframed(head.status, head.reason, head.headers.fields(), also_skip, out);
}

void serialize_wire_head(const PackedHead& head, std::initializer_list<std::string_view> also_skip,
                         WireHead& out) {
  out.status = head.status();
  out.lines.clear();
  out.lines.reserve(head.packed_bytes() + 64);
  out.has_date = append_unframed(head.status(), head.reason(), head, also_skip, out.lines);
}

}  // namespace edgefront::http
