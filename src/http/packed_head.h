// A response head kept for a long time (a cached object's), packed into one string: a
// million stored objects then cost one allocation per head instead of a vector plus a heap
// string for every long name or value (about 500 bytes less per typical origin head).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "http/message.h"

namespace edgefront::http {

class PackedHead {
 public:
  // Name and value, like HeaderList's fields, so code reading either can share loops.
  using Field = std::pair<std::string_view, std::string_view>;

  // Walks the fields in their stored order.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = const Field*;
    using reference = const Field&;

    Iterator() = default;
    const Field& operator*() const { return field_; }
    const Field* operator->() const { return &field_; }
    Iterator& operator++() {
      load(next_);
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const Iterator& other) const { return at_ == other.at_; }

   private:
    friend class PackedHead;
    Iterator(std::string_view data, size_t at) : data_(data) { load(at); }
    void load(size_t at);

    std::string_view data_;
    size_t at_ = 0;
    size_t next_ = 0;
    Field field_;
  };

  PackedHead() = default;
  explicit PackedHead(const ResponseHead& head);

  // The head back in its editable form (a 304 refresh, an answer built from the object).
  ResponseHead unpack() const;

  int status() const { return status_; }
  std::string_view reason() const { return std::string_view(data_).substr(0, reason_length_); }
  Version version() const { return version_; }

  // First value named `name` (case-insensitive), if any.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }

  Iterator begin() const { return Iterator(data_, reason_length_); }
  Iterator end() const { return Iterator(data_, data_.size()); }
  size_t field_count() const;
  // Bytes of names, values and reason (what the store accounts for besides the body).
  size_t packed_bytes() const { return data_.size(); }

 private:
  // The reason phrase, then per field: name length and value length (varints), the name,
  // the value. The packing never leaves the process (the disk tier writes its own format).
  std::string data_;
  uint32_t reason_length_ = 0;
  uint16_t status_ = 200;
  Version version_;
};

}  // namespace edgefront::http
