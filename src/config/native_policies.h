// Native YAML cache policies and origin request policies: the top-level `cache_policies:` and
// `origin_request_policies:` lists, and how a behavior's `cache_policy:` /
// `origin_request_policy:` names one (managed name or id, a listed name or id, honour-origin).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/field_path.h"

namespace edgefront::config::detail {

struct NativePolicies {
  std::vector<CachePolicy> cache;
  std::vector<OriginRequestPolicy> origin_request;
};

void load_cache_policies(const YAML::Node& node, const FieldPath& path, Problems& problems,
                         NativePolicies& out);
void load_origin_request_policies(const YAML::Node& node, const FieldPath& path, Problems& problems,
                                  NativePolicies& out);

// Resolves a reference; reports an error at `path` and returns nullopt when unknown.
std::optional<CachePolicy> resolve_cache_policy(std::string_view ref,
                                                const NativePolicies& policies,
                                                const FieldPath& path, Problems& problems);
std::optional<OriginRequestPolicy> resolve_origin_request_policy(std::string_view ref,
                                                                 const NativePolicies& policies,
                                                                 const FieldPath& path,
                                                                 Problems& problems);

}  // namespace edgefront::config::detail
