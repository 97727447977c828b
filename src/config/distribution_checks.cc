#include "config/distribution_checks.h"

#include <map>
#include <string>

#include "config/rules.h"
#include "config/unkeyed_forwarding.h"
#include "config/yaml_reader.h"

namespace edgefront::config::detail {

namespace {

constexpr std::string_view kPoisoning =
    "; one viewer's value then decides the object every viewer gets (cache poisoning): key on "
    "what the origin reads, or forward less";

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Warnings, not errors: CloudFront accepts these configs, and some origins ignore the headers.
void warn_unkeyed(const Distribution& d, const CacheBehavior& b, const FieldPath& orp_path,
                  const FieldPath& target_path, Problems& problems) {
  UnkeyedForwarding u = unkeyed_forwarding(d, b);
  std::string keyed = " (the cache key holds " + keyed_headers_text(b.cache_policy) + ")";
  if (!u.headers.empty()) {
    problems.warn(orp_path, "sends " + joined(u.headers) +
                                " to the origin on a behavior that caches, outside the cache key" +
                                keyed + std::string(kPoisoning));
  }
  if (u.every_viewer_header) {
    std::string what = u.viewer_host ? "every viewer header, Host included,"
                                     : "every viewer header (X-Forwarded-Host included)";
    problems.warn(orp_path, "sends " + what +
                                " to the origin on a behavior that caches, outside the cache key" +
                                keyed + std::string(kPoisoning));
  }
  for (const std::string& id : u.host_origins) {
    problems.warn(target_path, "origin " + in_quotes(id) +
                                   " sends the viewer's Host (forward_viewer_host) on a behavior "
                                   "that caches, but the cache key does not hold Host" +
                                   std::string(kPoisoning));
  }
}

}  // namespace

void check_distribution(const Distribution& d, const DistributionPaths& paths, Problems& problems) {
  // Origins and groups share one name space: a TargetOriginId may name either.
  std::map<std::string, bool, std::less<>> seen;  // id -> is a group
  for (size_t i = 0; i < d.origins.size() && i < paths.origin_ids.size(); ++i) {
    const std::string& id = d.origins[i].id;
    if (id.empty()) continue;
    if (!seen.emplace(id, false).second) {
      problems.error(paths.origin_ids[i], "duplicate id " + in_quotes(id));
    }
  }
  for (size_t i = 0; i < d.origin_groups.size() && i < paths.group_ids.size(); ++i) {
    const std::string& id = d.origin_groups[i].id;
    if (id.empty()) continue;
    auto [it, inserted] = seen.emplace(id, true);
    if (!inserted) {
      problems.error(paths.group_ids[i], it->second
                                             ? "duplicate id " + in_quotes(id)
                                             : "duplicate id " + in_quotes(id) + " (an origin)");
    }
  }

  for (size_t g = 0; g < d.origin_groups.size() && g < paths.group_members.size(); ++g) {
    const std::vector<std::string>& members = d.origin_groups[g].member_origin_ids;
    for (size_t m = 0; m < members.size() && m < paths.group_members[g].size(); ++m) {
      if (members[m].empty()) continue;
      const FieldPath& path = paths.group_members[g][m];
      if (std::optional<std::string> reason = check_group_member(d, members[m])) {
        problems.error(path, *reason);
        continue;
      }
      for (size_t earlier = 0; earlier < m; ++earlier) {
        if (members[earlier] == members[m]) {
          problems.error(path, "origin " + in_quotes(members[m]) + " is already a member");
          break;
        }
      }
    }
  }

  // With no origins at all (already an error) every target would dangle: say nothing more.
  auto check_target_at = [&](const CacheBehavior& b, size_t i) {
    if (d.origins.empty()) return;
    if (b.target_origin_id.empty() || i >= paths.behavior_targets.size()) return;
    if (std::optional<std::string> reason = check_target(d, b.target_origin_id)) {
      problems.error(paths.behavior_targets[i], *reason);
    }
  };
  auto warn_unkeyed_at = [&](const CacheBehavior& b, size_t i) {
    if (i >= paths.behavior_origin_request_policies.size() || i >= paths.behavior_targets.size()) {
      return;
    }
    warn_unkeyed(d, b, paths.behavior_origin_request_policies[i], paths.behavior_targets[i],
                 problems);
  };
  check_target_at(d.default_behavior, 0);
  warn_unkeyed_at(d.default_behavior, 0);
  for (size_t i = 0; i < d.behaviors.size(); ++i) {
    check_target_at(d.behaviors[i], i + 1);
    warn_unkeyed_at(d.behaviors[i], i + 1);
    if (i >= paths.behavior_patterns.size() || d.behaviors[i].path_pattern.empty()) continue;
    for (size_t earlier = 0; earlier < i; ++earlier) {
      if (d.behaviors[earlier].path_pattern == d.behaviors[i].path_pattern) {
        problems.warn(paths.behavior_patterns[i], "same path pattern as " +
                                                      paths.behavior_patterns[earlier].str() +
                                                      "; this behavior never matches");
        break;
      }
    }
  }

  for (size_t i = 0; i < d.custom_error_responses.size() && i < paths.error_codes.size(); ++i) {
    int code = d.custom_error_responses[i].error_code;
    if (code == 0) continue;
    for (size_t earlier = 0; earlier < i; ++earlier) {
      if (d.custom_error_responses[earlier].error_code == code) {
        problems.error(paths.error_codes[i], "duplicate error code " + std::to_string(code));
        break;
      }
    }
  }
}

std::optional<http::MethodSet> read_method_list(
    const std::vector<std::pair<YAML::Node, FieldPath>>& items, Problems& problems) {
  http::MethodSet set;
  bool ok = true;
  for (const auto& [node, path] : items) {
    std::optional<http::Method> method;
    if (node.IsScalar()) method = parse_allowed_method(node.Scalar());
    if (!method) {
      problems.error(path, "expected one of " + std::string(kMethodChoices));
      ok = false;
    } else if (set.contains(*method)) {
      problems.error(path, "duplicate method " + node.Scalar());
      ok = false;
    } else {
      set.add(*method);
    }
  }
  if (!ok) return std::nullopt;
  return set;
}

}  // namespace edgefront::config::detail
