#include "server/admin_access.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <string>

#include "base/strings.h"

namespace edgefront::server {

namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view text) {
  Digest out{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(), nullptr);
  return out;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool is_admin_write(http::Method method) {
  return method != http::Method::kGet && method != http::Method::kHead;
}

bool is_loopback_host(std::string_view host) {
  std::string_view name = host;
  // The port follows the last ':' outside the brackets of an IPv6 literal.
  size_t colon = host.rfind(':');
  size_t bracket = host.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    if (!all_digits(host.substr(colon + 1))) return false;
    name = host.substr(0, colon);
  }
  return iequals(name, "localhost") || name == "127.0.0.1" || name == "[::1]";
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  std::string expected = "Bearer ";
  expected += token;
  Digest got = sha256(authorization);
  Digest want = sha256(expected);
  return CRYPTO_memcmp(got.data(), want.data(), got.size()) == 0;
}

AdminAccess decide_admin_access(const AdminRequestFacts& request, std::string_view token) {
  if (!token.empty()) {
    return request.authorization && bearer_matches(*request.authorization, token)
               ? AdminAccess::kAllow
               : AdminAccess::kUnauthorized;
  }
  if (!is_admin_write(request.method)) return AdminAccess::kAllow;
  if (request.origin || !request.host || !is_loopback_host(*request.host)) {
    return AdminAccess::kForbidden;
  }
  return AdminAccess::kAllow;
}

}  // namespace edgefront::server
