// Response headers policies (cloudfront-spec.md 3.15, 3.16): CloudFront's managed ones by name
// or id, the native YAML `response_headers_policies:` list, and how a behavior names one.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/field_path.h"

namespace edgefront::config {

std::span<const ResponseHeadersPolicy> managed_response_headers_policies();
// By managed name ("SecurityHeadersPolicy") or id; nullptr if none.
const ResponseHeadersPolicy* find_managed_response_headers_policy(std::string_view name_or_id);

namespace detail {

void load_response_headers_policies(const YAML::Node& node, const FieldPath& path,
                                    Problems& problems, std::vector<ResponseHeadersPolicy>& out);

// Resolves a behavior's reference; reports an error at `path` and returns nullopt when unknown.
std::optional<ResponseHeadersPolicy> resolve_response_headers_policy(
    std::string_view ref, const std::vector<ResponseHeadersPolicy>& policies, const FieldPath& path,
    Problems& problems);

}  // namespace detail
}  // namespace edgefront::config
