// What `serve` checks of a loaded config before it binds anything, run by `validate` too: the
// checks that need the filesystem (disk cache directory, certificate files) or the runtime
// (origin TLS trust, routes), not only the config text.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace edgefront::server {

// Every problem, each "<field path>: <reason>" or "listener ...: <reason>"; empty if none.
std::vector<std::string> preflight(const config::Config& config);

}  // namespace edgefront::server
