// The process: worker threads (one io_context each, SO_REUSEPORT listeners), the control
// thread (signals, admin API, reload), and graceful shutdown.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.h"

namespace edgefront::server {

struct ServeOptions {
  std::string config_path;  // empty: the built-in demo config
  std::optional<config::ListenAddress> listen_override;
  // --admin: set means override; a set-but-empty inner value means "off".
  std::optional<std::optional<config::ListenAddress>> admin_override;
  int workers_override = 0;
  std::string access_log_path;  // --access-log: every distribution logs to this file
};

// Loads the config (file or built-in) and reports problems on stderr. Null if invalid.
std::shared_ptr<const config::Config> load_for_serving(const ServeOptions& options);

// Runs until SIGTERM/SIGINT; returns the process exit code.
int serve(std::shared_ptr<const config::Config> config, const ServeOptions& options);

// Where examples/ lives for the built-in config: $EDGEFRONT_HOME, else the directory above
// the binary (build/edgefront -> repo), else the current directory.
std::string default_config_root();

}  // namespace edgefront::server
