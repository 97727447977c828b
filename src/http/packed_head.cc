#include "http/packed_head.h"

#include "base/strings.h"

namespace edgefront::http {

namespace {

// Lengths as LEB128 varints: one byte for every name and most values.
void append_length(size_t length, std::string& out) {
  while (length >= 0x80) {
    out.push_back(static_cast<char>((length & 0x7f) | 0x80));
    length >>= 7;
  }
  out.push_back(static_cast<char>(length));
}

size_t length_bytes(size_t length) {
  size_t bytes = 1;
  for (; length >= 0x80; length >>= 7) ++bytes;
  return bytes;
}

// Reads the length at `at` (data this class wrote itself) and moves `at` past it.
size_t read_length(std::string_view data, size_t& at) {
  size_t length = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(data[at++]);
    length |= static_cast<size_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return length;
  }
}

}  // namespace

PackedHead::PackedHead(const ResponseHead& head)
    : reason_length_(static_cast<uint32_t>(head.reason.size())),
      status_(static_cast<uint16_t>(head.status)),
      version_(head.version) {
  size_t bytes = head.reason.size();
  for (const auto& [name, value] : head.headers.fields()) {
    bytes += length_bytes(name.size()) + length_bytes(value.size()) + name.size() + value.size();
  }
  data_.reserve(bytes);
  data_.append(head.reason);
  for (const auto& [name, value] : head.headers.fields()) {
    append_length(name.size(), data_);
    append_length(value.size(), data_);
    data_.append(name);
    data_.append(value);
  }
}

void PackedHead::Iterator::load(size_t at) {
  at_ = at;
  if (at >= data_.size()) {
    at_ = next_ = data_.size();
    return;
  }
  const size_t name_length = read_length(data_, at);
  const size_t value_length = read_length(data_, at);
  field_.first = data_.substr(at, name_length);
  field_.second = data_.substr(at + name_length, value_length);
  next_ = at + name_length + value_length;
}

ResponseHead PackedHead::unpack() const {
  ResponseHead head;
  head.status = status_;
  head.reason = std::string(reason());
  head.version = version_;
  head.headers.fields().reserve(field_count());
  for (const auto& [name, value] : *this) head.headers.add(name, value);
  return head;
}

std::optional<std::string_view> PackedHead::get(std::string_view name) const {
  for (const auto& [field, value] : *this) {
    // Lengths first: most fields cost a comparison of sizes.
    if (field.size() == name.size() && iequals(field, name)) return value;
  }
  return std::nullopt;
}

size_t PackedHead::field_count() const {
  size_t count = 0;
  for (auto it = begin(); it != end(); ++it) ++count;
  return count;
}

}  // namespace edgefront::http
