// CloudFront's managed cache and origin request policies (cloudfront-spec.md 3.15), found by
// name or by id.
#pragma once

#include <span>
#include <string_view>

#include "config/config.h"

namespace edgefront::config {

std::span<const CachePolicy> managed_cache_policies();
std::span<const OriginRequestPolicy> managed_origin_request_policies();

// By managed name ("CachingOptimized") or id; nullptr if none.
const CachePolicy* find_managed_cache_policy(std::string_view name_or_id);
const OriginRequestPolicy* find_managed_origin_request_policy(std::string_view name_or_id);

// The native YAML name of the RFC 9111 mode, and its policy.
inline constexpr std::string_view kHonourOriginName = "honour-origin";
CachePolicy honour_origin_policy();

}  // namespace edgefront::config
