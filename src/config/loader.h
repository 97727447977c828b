// Loading a config file: native YAML or CloudFront DistributionConfig JSON (bare, or the
// {"ETag", "DistributionConfig"} wrapper). Errors name the field path and the reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"

namespace edgefront::config {

struct LoadProblems {
  // Each entry: "<field path>: <reason>", e.g.
  // "DistributionConfig.Origins.Items[1].CustomOriginConfig.HTTPPort: expected integer 1-65535"
  std::vector<std::string> errors;
};

struct LoadResult {
  bool ok() const { return problems.errors.empty(); }
  Config config;  // valid only when ok()
  LoadProblems problems;
};

// No config needs more: a larger file, or one nesting mappings and lists deeper, is refused
// before it is parsed into a tree (its size read from fstat, or by reading at most one byte
// past the limit for pipes and devices).
inline constexpr size_t kMaxConfigBytes = 16u << 20;
inline constexpr int kMaxConfigDepth = 64;

// Parses text; `source_name` is used in messages and to resolve relative directory origins
// (relative to the directory of source_name).
LoadResult load_config_text(std::string_view text, const std::string& source_name);
LoadResult load_config_file(const std::string& path);

// The built-in demo config: examples/site through a directory origin group on 127.0.0.1:8080.
// `root` is the directory holding examples/.
LoadResult default_config(const std::string& root);

}  // namespace edgefront::config
