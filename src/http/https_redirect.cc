#include "http/https_redirect.h"

#include <fmt/format.h>

#include <algorithm>

namespace edgefront::http {

namespace {

// The host part of an authority without its port: "[::1]:80" -> "[::1]", "a.com:80" -> "a.com".
std::optional<std::string_view> host_part(std::string_view authority) {
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return authority.substr(0, close + 1);
  }
  size_t colon = authority.find(':');
  if (colon == std::string_view::npos) return authority;
  // Several colons without brackets is no authority we can rebuild safely.
  if (authority.find(':', colon + 1) != std::string_view::npos) return std::nullopt;
  std::string_view host = authority.substr(0, colon);
  if (host.empty()) return std::nullopt;
  return host;
}

bool authority_char(char c) {
  // RFC 3986 reg-name, IP literal and port characters; anything else (spaces, '/', '@',
  // controls) could turn the Location into a different URL.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~!$&'()*+,;=:[]%").find(c) != std::string_view::npos;
}

}  // namespace

std::optional<std::string> https_redirect_location(std::string_view host, uint16_t https_port,
                                                   std::string_view target) {
  if (!std::all_of(host.begin(), host.end(), authority_char)) return std::nullopt;
  std::optional<std::string_view> name = host_part(host);
  if (!name) return std::nullopt;
  if (https_port == 0 || https_port == 443) return fmt::format("https://{}{}", *name, target);
  return fmt::format("https://{}:{}{}", *name, https_port, target);
}

}  // namespace edgefront::http
