#include "http/packed_head.h"

#include <cstring>

#include "base/strings.h"

namespace edgefront::http {

namespace {

constexpr size_t kLengthBytes = sizeof(uint32_t);

void append_length(size_t length, std::string& out) {
  uint32_t value = static_cast<uint32_t>(length);
  char bytes[kLengthBytes];
  std::memcpy(bytes, &value, kLengthBytes);
  out.append(bytes, kLengthBytes);
}

uint32_t read_length(std::string_view data, size_t at) {
  uint32_t value;
  std::memcpy(&value, data.data() + at, kLengthBytes);
  return value;
}

}  // namespace

PackedHead::PackedHead(const ResponseHead& head)
    : reason_length_(static_cast<uint32_t>(head.reason.size())),
      status_(static_cast<uint16_t>(head.status)),
      version_(head.version) {
  size_t bytes = head.reason.size();
  for (const auto& [name, value] : head.headers.fields()) {
    bytes += 2 * kLengthBytes + name.size() + value.size();
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
  const uint32_t name_length = read_length(data_, at);
  const uint32_t value_length = read_length(data_, at + kLengthBytes);
  const size_t name_at = at + 2 * kLengthBytes;
  field_.first = data_.substr(name_at, name_length);
  field_.second = data_.substr(name_at + name_length, value_length);
  next_ = name_at + name_length + value_length;
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
  // Compares lengths before bytes, so most fields cost two loads and one comparison.
  const std::string_view data(data_);
  size_t at = reason_length_;
  while (at < data.size()) {
    const uint32_t name_length = read_length(data, at);
    const uint32_t value_length = read_length(data, at + kLengthBytes);
    const size_t name_at = at + 2 * kLengthBytes;
    if (name_length == name.size() && iequals(data.substr(name_at, name_length), name)) {
      return data.substr(name_at + name_length, value_length);
    }
    at = name_at + name_length + value_length;
  }
  return std::nullopt;
}

size_t PackedHead::field_count() const {
  size_t count = 0;
  for (auto it = begin(); it != end(); ++it) ++count;
  return count;
}

}  // namespace edgefront::http
