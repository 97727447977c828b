#include "config/rules.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "base/strings.h"
#include "config/field_path.h"
#include "http/message.h"

namespace edgefront::config::detail {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// CloudFront's path character set (PathPattern, DefaultRootObject, ResponsePagePath).
bool is_path_char(char c, std::string_view extra) {
  if (is_alnum(c)) return true;
  return std::string_view("_-.*$/~\"'&").find(c) != std::string_view::npos ||
         extra.find(c) != std::string_view::npos;
}

std::optional<std::string> check_path_chars(std::string_view text, std::string_view extra,
                                            std::string_view what) {
  for (char c : text) {
    if (!is_path_char(c, extra)) {
      return "character " + in_quotes(std::string_view(&c, 1)) + " is not allowed in " +
             std::string(what);
    }
  }
  return std::nullopt;
}

bool is_tchar(char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// CloudFront's list of headers an origin custom header may not set (plus X-Amz-*, X-Edge-*).
constexpr std::array<std::string_view, 22> kForbiddenHeaders = {"Cache-Control",
                                                                "Connection",
                                                                "Content-Length",
                                                                "Cookie",
                                                                "Host",
                                                                "If-Match",
                                                                "If-Modified-Since",
                                                                "If-None-Match",
                                                                "If-Range",
                                                                "If-Unmodified-Since",
                                                                "Max-Forwards",
                                                                "Pragma",
                                                                "Proxy-Authorization",
                                                                "Proxy-Connection",
                                                                "Range",
                                                                "Request-Range",
                                                                "TE",
                                                                "Trailer",
                                                                "Transfer-Encoding",
                                                                "Upgrade",
                                                                "Via",
                                                                "X-Real-Ip"};

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

}  // namespace

bool contains(std::span<const int> codes, int code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string expected_one_of(std::span<const int> codes) {
  std::string out = "expected one of ";
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i > 0) out += '|';
    out += std::to_string(codes[i]);
  }
  return out;
}

bool is_bare_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (c == ':' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '?' ||
        c == '#' || c == '@' || c == '[' || c == ']') {
      return false;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::optional<std::string> check_alias(std::string_view alias) {
  static const std::string kReason = "expected a host name (optionally starting with \"*.\")";
  std::string_view rest = alias;
  if (rest.starts_with("*.")) rest.remove_prefix(2);
  if (rest.empty() || rest.size() > 253 || rest.front() == '.' || rest.front() == '-' ||
      rest.back() == '.') {
    return kReason;
  }
  for (char c : rest) {
    if (!is_alnum(c) && c != '-' && c != '.') return kReason;
  }
  return std::nullopt;
}

std::optional<std::string> check_origin_path(std::string_view path) {
  if (path.empty()) return std::nullopt;
  if (path.front() != '/' || path.back() == '/') {
    return "expected a path starting with '/' and not ending with '/'";
  }
  if (path.size() > kMaxPathLength) return "at most 255 characters";
  for (char c : path) {
    if (c == '?' || c == '#' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return "character " + in_quotes(std::string_view(&c, 1)) + " is not allowed in a path";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_path_pattern(std::string_view pattern) {
  if (pattern.empty()) return "required";
  if (pattern.size() > kMaxPathLength) return "at most 255 characters";
  return check_path_chars(pattern, "@:+?", "a path pattern");
}

std::optional<std::string> check_default_root_object(std::string_view object) {
  if (object.empty()) return std::nullopt;
  if (object.front() == '/') return "must not start with '/'";
  if (object.size() > kMaxPathLength) return "at most 255 characters";
  return check_path_chars(object, "", "a default root object");
}

std::optional<std::string> check_response_page_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return "expected a path starting with '/'";
  if (path.size() > 4096) return "at most 4096 characters";
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return "character " + in_quotes(std::string_view(&c, 1)) + " is not allowed in a path";
    }
  }
  return std::nullopt;
}

bool is_header_name(std::string_view name) {
  return !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), is_tchar);
}

std::optional<std::string> check_custom_header_name(std::string_view name) {
  if (!is_header_name(name)) return "expected an HTTP header name";
  // Hop-by-hop names (Keep-Alive, Proxy-Authenticate, ...) are refused too: CloudFront's list
  // misses some, and a custom header is added after hop-by-hop headers are stripped.
  bool forbidden = starts_with_ci(name, "X-Amz-") || starts_with_ci(name, "X-Edge-") ||
                   http::is_hop_by_hop(name);
  for (std::string_view f : kForbiddenHeaders) forbidden = forbidden || iequals(name, f);
  if (forbidden) return in_quotes(name) + " cannot be set as an origin custom header";
  return std::nullopt;
}

std::optional<std::string> check_custom_header_value(std::string_view value) {
  if (value.size() > kMaxCustomHeaderValue) return "at most 1783 characters";
  for (char c : value) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      return "control characters are not allowed in a header value";
    }
  }
  return std::nullopt;
}

std::optional<http::Method> parse_allowed_method(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, http::Method>, 7> kMethods = {{
      {"GET", http::Method::kGet},
      {"HEAD", http::Method::kHead},
      {"OPTIONS", http::Method::kOptions},
      {"PUT", http::Method::kPut},
      {"POST", http::Method::kPost},
      {"PATCH", http::Method::kPatch},
      {"DELETE", http::Method::kDelete},
  }};
  for (const auto& [text, method] : kMethods) {
    if (name == text) return method;
  }
  return std::nullopt;
}

bool is_subset(const http::MethodSet& inner, const http::MethodSet& outer) {
  for (int i = 0; i <= static_cast<int>(http::Method::kOther); ++i) {
    auto m = static_cast<http::Method>(i);
    if (inner.contains(m) && !outer.contains(m)) return false;
  }
  return true;
}

bool has_write_method(const http::MethodSet& methods) {
  return methods.contains(http::Method::kPut) || methods.contains(http::Method::kPost) ||
         methods.contains(http::Method::kPatch) || methods.contains(http::Method::kDelete);
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  ListenAddress out;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    out.host = std::string(host.substr(1, host.size() - 2));
    in6_addr v6;
    if (inet_pton(AF_INET6, out.host.c_str(), &v6) != 1) return std::nullopt;
  } else {
    out.host = std::string(host);
    in_addr v4;
    if (inet_pton(AF_INET, out.host.c_str(), &v4) != 1) return std::nullopt;
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return std::nullopt;
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

std::optional<std::string> check_id_text(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return fmt::format("control character 0x{:02x} not allowed in an id", byte);
    }
  }
  return std::nullopt;
}

bool is_loopback(const ListenAddress& address) {
  in_addr v4;
  if (inet_pton(AF_INET, address.host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, address.host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

std::string format_listen_address(const ListenAddress& address) {
  std::string host =
      address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
  return host + ":" + std::to_string(address.port);
}

std::optional<std::string> check_target(const Distribution& d, std::string_view id) {
  if (d.find_origin(id) != nullptr || d.find_group(id) != nullptr) return std::nullopt;
  return "no origin or origin group named " + in_quotes(id);
}

std::optional<std::string> check_group_member(const Distribution& d, std::string_view id) {
  if (d.find_origin(id) != nullptr) return std::nullopt;
  if (d.find_group(id) != nullptr) {
    return in_quotes(id) + " is an origin group; members must be origins";
  }
  return "no origin named " + in_quotes(id);
}

}  // namespace edgefront::config::detail
