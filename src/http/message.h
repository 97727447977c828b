// The HTTP message model shared by the HTTP/1.1 codec, the pipeline and the origin client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/strings.h"

namespace edgefront::http {

enum class Method : uint8_t { kGet, kHead, kOptions, kPut, kPost, kPatch, kDelete, kOther };

std::string_view method_name(Method m);
Method parse_method(std::string_view name);

// A set of methods (AllowedMethods, CachedMethods).
class MethodSet {
 public:
  constexpr MethodSet() = default;
  constexpr MethodSet(std::initializer_list<Method> ms) {
    for (Method m : ms) add(m);
  }
  constexpr void add(Method m) { bits_ |= bit(m); }
  constexpr bool contains(Method m) const { return (bits_ & bit(m)) != 0; }
  constexpr bool operator==(const MethodSet&) const = default;
  static constexpr MethodSet get_head() { return {Method::kGet, Method::kHead}; }
  static constexpr MethodSet get_head_options() {
    return {Method::kGet, Method::kHead, Method::kOptions};
  }
  static constexpr MethodSet all_seven() {
    return {Method::kGet,  Method::kHead,  Method::kOptions, Method::kPut,
            Method::kPost, Method::kPatch, Method::kDelete};
  }

 private:
  static constexpr uint16_t bit(Method m) {
    return static_cast<uint16_t>(1u << static_cast<int>(m));
  }
  uint16_t bits_ = 0;
};

// Ordered header fields; names compared case-insensitively, order and duplicates preserved.
class HeaderList {
 public:
  using Field = std::pair<std::string, std::string>;

  void add(std::string_view name, std::string_view value) { fields_.emplace_back(name, value); }
  // Replaces every field named `name` with one field.
  void set(std::string_view name, std::string_view value);
  // Removes every field named `name`; returns how many were removed.
  size_t remove(std::string_view name);
  // First value named `name`, if any.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  size_t count(std::string_view name) const;
  // All values named `name` joined with ", " (RFC 9110 list combination).
  std::optional<std::string> get_combined(std::string_view name) const;
  // True if a comma-separated list header named `name` has `token` (case-insensitive).
  bool has_token(std::string_view name, std::string_view token) const;
  // Adds `token` to the list header `name` (Vary) unless it is listed already or "*" is.
  void add_list_token(std::string_view name, std::string_view token);

  const std::vector<Field>& fields() const { return fields_; }
  std::vector<Field>& fields() { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }

 private:
  std::vector<Field> fields_;
};

struct Version {
  uint8_t major = 1;
  uint8_t minor = 1;
  bool at_least_1_1() const { return major > 1 || (major == 1 && minor >= 1); }
  bool operator==(const Version&) const = default;
};

struct RequestHead {
  Method method = Method::kGet;
  std::string method_text;  // as sent (for kOther and for logging)
  std::string target;       // request-target as received: path[?query]
  Version version;
  HeaderList headers;
  bool keep_alive = true;  // what the viewer asked for
  bool chunked = false;    // request body is chunked
  std::optional<uint64_t> content_length;

  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // after '?', without it; empty if none
  bool has_body() const { return chunked || (content_length && *content_length > 0); }
};

struct ResponseHead {
  int status = 200;
  std::string reason;  // empty -> standard reason phrase
  Version version;
  HeaderList headers;
};

std::string_view reason_phrase(int status);

// True for headers that only describe one connection hop (RFC 9110 7.6.1), which a proxy
// must not forward.
bool is_hop_by_hop(std::string_view name);

}  // namespace edgefront::http
