// The admin API's exposure rule, checked after every source of settings (file, command line,
// reload): an admin listener on a non-loopback address needs a token.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace edgefront::config {

// nullopt if `server` may serve the admin API as configured; else "<field path>: <reason>".
std::optional<std::string> check_admin_exposure(const Server& server);

// True for a token that is empty or made only of whitespace: it would protect nothing.
bool is_blank_token(std::string_view token);

}  // namespace edgefront::config
