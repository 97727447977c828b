// edgefront's own YAML format: server settings plus one or more distributions, snake_case keys,
// durations as "250ms"/"10s"/"2m", directory origins. Unknown keys are errors.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "config/config.h"
#include "config/field_path.h"

namespace edgefront::config::detail {

// Fills `config` from the top-level mapping `root`. Relative directory origins are resolved
// against `base_dir` (the config file's directory) and stored absolute.
void load_native(const YAML::Node& root, const std::string& base_dir, Config& config,
                 Problems& problems);

}  // namespace edgefront::config::detail
