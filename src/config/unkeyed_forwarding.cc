#include "config/unkeyed_forwarding.h"

#include <algorithm>

#include "base/strings.h"

namespace edgefront::config {

namespace {

using HB = OriginRequestPolicy::HeaderBehavior;

bool keyed(const CachePolicy& policy, std::string_view name) {
  if (policy.headers.behavior != KeyValues::Behavior::kWhitelist) return false;
  return std::any_of(policy.headers.names.begin(), policy.headers.names.end(),
                     [&](const std::string& n) { return iequals(n, name); });
}

bool listed(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return iequals(n, name); });
}

// The plain origins a target reaches: itself, or a group's members.
std::vector<const Origin*> target_origins(const Distribution& d, const std::string& target) {
  std::vector<const Origin*> out;
  if (const Origin* o = d.find_origin(target)) {
    out.push_back(o);
  } else if (const OriginGroup* g = d.find_group(target)) {
    for (const std::string& member : g->member_origin_ids) {
      if (const Origin* o = d.find_origin(member)) out.push_back(o);
    }
  }
  return out;
}

}  // namespace

bool caches_with_policy_key(const CachePolicy& policy) {
  return !policy.honour_origin && !policy.caching_disabled();
}

UnkeyedForwarding unkeyed_forwarding(const Distribution& d, const CacheBehavior& b) {
  UnkeyedForwarding out;
  const CachePolicy& key = b.cache_policy;
  if (!caches_with_policy_key(key)) return out;
  bool host_keyed = keyed(key, "Host");
  if (const std::optional<OriginRequestPolicy>& orp = b.origin_request_policy) {
    switch (orp->header_behavior) {
      case HB::kNone:
        break;
      case HB::kWhitelist:
        for (const std::string& name : orp->header_names) {
          if (!keyed(key, name) && !listed(out.headers, name)) out.headers.push_back(name);
        }
        break;
      case HB::kAllViewer:
      case HB::kAllViewerAndWhitelistCloudFront:
        out.every_viewer_header = true;
        out.viewer_host = !host_keyed;
        break;
      case HB::kAllExcept:
        out.every_viewer_header = true;
        out.viewer_host = !host_keyed && !listed(orp->header_names, "Host");
        break;
    }
  }
  if (!host_keyed) {
    for (const Origin* o : target_origins(d, b.target_origin_id)) {
      if (o->forward_viewer_host) out.host_origins.push_back(o->id);
    }
    if (!out.host_origins.empty()) out.viewer_host = true;
  }
  return out;
}

std::string keyed_headers_text(const CachePolicy& policy) {
  if (policy.headers.behavior != KeyValues::Behavior::kWhitelist || policy.headers.names.empty()) {
    return "no header";
  }
  std::string out;
  for (const std::string& name : policy.headers.names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace edgefront::config
