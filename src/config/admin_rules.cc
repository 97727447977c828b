#include "config/admin_rules.h"

#include "config/rules.h"

namespace edgefront::config {

std::optional<std::string> check_admin_exposure(const Server& server) {
  if (!server.admin || detail::is_loopback(*server.admin)) return std::nullopt;
  if (is_blank_token(server.admin_token)) {
    return "server.admin_token: required when admin listens on a non-loopback address (" +
           detail::format_listen_address(*server.admin) + ")";
  }
  return std::nullopt;
}

bool is_blank_token(std::string_view token) {
  return token.find_first_not_of(" \t\r\n\v\f") == std::string_view::npos;
}

}  // namespace edgefront::config
