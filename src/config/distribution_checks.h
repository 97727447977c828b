// Checks that span a whole distribution (unique ids, references between behaviors, groups and
// origins) and reads shared by both formats, such as method lists.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/field_path.h"
#include "http/message.h"

namespace edgefront::config::detail {

// Where each checked field came from, recorded by a loader while it fills a Distribution.
// Each vector runs parallel to the Distribution's own (a loader pushes both or neither).
struct DistributionPaths {
  std::vector<FieldPath> origin_ids;                  // per origin: its id field
  std::vector<FieldPath> group_ids;                   // per group: its id field
  std::vector<std::vector<FieldPath>> group_members;  // per group, per member
  std::vector<FieldPath> behavior_targets;            // default behavior first, then behaviors
  std::vector<FieldPath> behavior_patterns;           // per behavior (not the default)
  // Default behavior first, then behaviors: the origin request policy field (set or not).
  std::vector<FieldPath> behavior_origin_request_policies;
  std::vector<FieldPath> error_codes;  // per custom error response
};

// Ids unique across origins and groups; group members name plain origins, once each; targets
// resolve; error codes unique. Duplicate path patterns are a warning (the later never matches).
// Empty ids are skipped: their "required" error was already reported. A behavior that caches
// and sends headers to the origin that its cache key does not hold gets a warning each.
void check_distribution(const Distribution& d, const DistributionPaths& paths, Problems& problems);

// Reads method names (GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE) into a set; reports unknown
// names and duplicates. nullopt if any item was bad.
std::optional<http::MethodSet> read_method_list(
    const std::vector<std::pair<YAML::Node, FieldPath>>& items, Problems& problems);

}  // namespace edgefront::config::detail
