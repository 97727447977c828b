// The `tls:` block of a native listen address: certificates (checked by loading them, so a bad
// file is refused with its field path before anything is served), security policy, ticket key
// rotation and HTTP/2.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "config/config.h"
#include "config/field_path.h"

namespace edgefront::config::detail {

// A file name from the config, absolute: relative ones are taken from `base_dir` (the config
// file's folder), else the working directory.
std::string resolve_config_path(const std::string& file, const std::string& base_dir);

// Reads `tls:`; file names are resolved against `base_dir`. nullopt after reporting errors.
std::optional<ListenTls> read_listen_tls(const YAML::Node& node, const FieldPath& path,
                                         const std::string& base_dir, Problems& problems);

}  // namespace edgefront::config::detail
