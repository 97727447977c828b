// Who may use the admin API: pure decisions on a request's method and headers, so they are
// table-tested apart from the listener.
#pragma once

#include <optional>
#include <string_view>

#include "http/message.h"

namespace edgefront::server {

enum class AdminAccess {
  kAllow,
  kUnauthorized,  // 401: a token is configured and the request does not carry it
  kForbidden,     // 403: a write without a token from what may be a browser or a rebound name
};

struct AdminRequestFacts {
  http::Method method = http::Method::kGet;
  std::optional<std::string_view> authorization;
  std::optional<std::string_view> origin;
  std::optional<std::string_view> host;
};

// With a token: every request needs "Authorization: Bearer <token>". Without one (the listener
// is then on loopback): reads are open; writes need no Origin header (no web page sent it) and
// a loopback Host (no DNS rebinding of a public name to 127.0.0.1).
AdminAccess decide_admin_access(const AdminRequestFacts& request, std::string_view token);

// Anything but GET and HEAD changes state or may one day.
bool is_admin_write(http::Method method);

// "localhost", "127.0.0.1" or "[::1]", each with or without ":port" (localhost in any case).
bool is_loopback_host(std::string_view host);

// "Bearer <token>", compared in time independent of where the texts differ (and of the
// length of either: both sides are hashed first).
bool bearer_matches(std::string_view authorization, std::string_view token);

}  // namespace edgefront::server
