// Bounds on a config file before it is parsed into a tree: a file can be huge or nest deeper than
// any config needs, and either would exhaust memory or stack in the parser. Internal to
// src/config.
#pragma once

#include <optional>
#include <string_view>

namespace edgefront::config::detail {

struct NestingBeyond {
  int line = 0;  // 1-based, where the collection past the limit starts
  int column = 0;
};

// Where the first document of `text` (YAML, JSON being a subset) nests collections more than
// `limit` deep, from a streaming pass that builds no tree and stops at that point. nullopt if it
// never does. Throws YAML::Exception on a syntax error, like YAML::Load.
//
// Flow collections ([...] and {...}, all of JSON) are first counted by a lexical scan: yaml-cpp's
// scanner queues every token of a flow collection that might be a key before the parser sees the
// first one (2 MB of '[' took 5 s and 336 MB), so its events would come too late to bound it.
std::optional<NestingBeyond> find_nesting_beyond(std::string_view text, int limit);

// The lexical scan alone: '[' and '{' where a value may start (line start, after ':' ',' '-'
// '?' '[' '{'), outside quoted scalars and comments. It may count a bracket inside an odd plain
// scalar ("x: a,[b"); no config needs nesting anywhere near the limit.
std::optional<NestingBeyond> find_flow_nesting_beyond(std::string_view text, int limit);

}  // namespace edgefront::config::detail
