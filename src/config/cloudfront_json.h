// CloudFront DistributionConfig JSON (as create-distribution takes it, or wrapped as
// get-distribution-config prints it) -> Config with one distribution, id "default".
#pragma once

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/field_path.h"

namespace edgefront::config::detail {

// True if the top-level mapping looks like CloudFront's: a "DistributionConfig" key, or a bare
// DistributionConfig with "Origins" or "DefaultCacheBehavior".
bool is_cloudfront(const YAML::Node& root);

// Fills `config.distributions` from `root`; server settings stay at their defaults. Field paths
// start with "DistributionConfig." for both forms.
void load_cloudfront(const YAML::Node& root, Config& config, Problems& problems);

}  // namespace edgefront::config::detail
