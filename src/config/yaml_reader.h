// Typed reads from yaml-cpp nodes that report problems with field paths instead of throwing.
// Both loaders use these; the dialect only changes type names ("object" vs "mapping") and what
// happens to keys nobody asked for.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/field_path.h"

namespace edgefront::config::detail {

enum class Dialect {
  kNative,      // edgefront YAML: unknown keys are errors
  kCloudFront,  // CloudFront JSON: unknown keys are warnings
};

// True if the node exists and is not null (`key: ~`, `"key": null` and `key:` count as absent).
bool present(const YAML::Node& node);

std::string_view map_name(Dialect d);   // "object" / "mapping"
std::string_view list_name(Dialect d);  // "array" / "list"

// Scalar reads. Each reports "<path>: expected ..." and returns nullopt on a wrong type or value.
std::optional<std::string> read_string(const YAML::Node& node, const FieldPath& path,
                                       Problems& problems);
// An id or name (origin, group, distribution, policy, and references to them): a string with no
// control character, NUL included. Message: "control character 0x.. not allowed in an id".
std::optional<std::string> read_id(const YAML::Node& node, const FieldPath& path,
                                   Problems& problems);
// Accepts decimal integers, quoted or not. Message: "expected integer lo-hi" (or ">= lo").
std::optional<int64_t> read_int(const YAML::Node& node, const FieldPath& path, Problems& problems,
                                int64_t lo, int64_t hi);
std::optional<bool> read_bool(const YAML::Node& node, const FieldPath& path, Problems& problems);
// Index of the matching option (exact, case-sensitive). Message: "expected one of a|b|c".
std::optional<size_t> read_choice(const YAML::Node& node, const FieldPath& path, Problems& problems,
                                  std::initializer_list<std::string_view> options);
// Native durations (see duration.h). Message: "expected duration lo-hi".
std::optional<Duration> read_duration(const YAML::Node& node, const FieldPath& path,
                                      Problems& problems, Duration lo, Duration hi);

// Parses the integer text of a scalar node; nullopt if it is not one.
std::optional<int64_t> scalar_int(const YAML::Node& node);

// "expected integer 1-65535" / "expected integer >= 0".
std::string int_range_reason(int64_t lo, int64_t hi);

// True for values that switch nothing on: "", false, an empty list, a CloudFront
// {Quantity: 0} list, an object with Enabled: false, GeoRestriction type "none", or an object
// made only of such values. Unsupported fields holding them need no warning.
bool inert(const YAML::Node& node);

// Reads one mapping. Each key is taken at most once; finish() reports the keys no one took.
// If the node is not a mapping, reports "expected <mapping>" and then behaves as an empty one.
class MapReader {
 public:
  MapReader(const YAML::Node& node, FieldPath path, Dialect dialect, Problems& problems);
  ~MapReader() { finish(); }
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;

  bool is_map() const { return is_map_; }
  const FieldPath& path() const { return path_; }
  FieldPath at(std::string_view key) const { return path_.key(key); }
  Problems& problems() { return problems_; }
  Dialect dialect() const { return dialect_; }

  // The value of `key` if present (not null); marks it as taken either way.
  std::optional<YAML::Node> take(std::string_view key);
  // Like take(), but reports "<path>.<key>: required" when absent.
  std::optional<YAML::Node> take_required(std::string_view key);
  bool has(std::string_view key) const;

  // kRequired reports "required" when the key is absent, null, or (for strings) empty.
  enum Need { kOptional, kRequired };
  std::optional<std::string> string(std::string_view key, Need need = kOptional);
  // string() for ids and names (see read_id).
  std::optional<std::string> id(std::string_view key, Need need = kOptional);
  std::optional<int64_t> integer(std::string_view key, int64_t lo, int64_t hi,
                                 Need need = kOptional);
  std::optional<bool> boolean(std::string_view key, Need need = kOptional);
  std::optional<size_t> choice(std::string_view key,
                               std::initializer_list<std::string_view> options,
                               Need need = kOptional);
  std::optional<Duration> duration(std::string_view key, Duration lo, Duration hi,
                                   Need need = kOptional);

  // Takes a field edgefront does not act on: a warning "<path>.<key>: <message>" unless the
  // value is inert. Returns true if the field was present.
  bool unsupported(std::string_view key, std::string_view message);
  // Same, but warns even for inert values.
  bool unsupported_always(std::string_view key, std::string_view message);
  // Takes a field with no effect (metadata such as Comment) without a word.
  void ignore(std::string_view key) { take(key); }

  // All keys in document order (for mappings whose keys are data, like custom_headers).
  std::vector<std::string> keys() const;

  // Reports every key not taken: an error "unknown field" (native) or a warning
  // "unknown field; ignored" (CloudFront), with a suggestion when a known key is close.
  // Runs once; the destructor calls it if nobody did.
  void finish();

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    bool taken = false;
  };
  Entry* find(std::string_view key);
  const Entry* find(std::string_view key) const;

  FieldPath path_;
  Dialect dialect_;
  Problems& problems_;
  bool is_map_ = false;
  bool finished_ = false;
  std::vector<Entry> entries_;
  std::vector<std::string> asked_;  // every key looked up, for "did you mean"
};

// The elements of a list node with their paths; reports "expected <list>" if not a list.
std::vector<std::pair<YAML::Node, FieldPath>> list_items(const YAML::Node& node,
                                                         const FieldPath& path, Dialect dialect,
                                                         Problems& problems);

}  // namespace edgefront::config::detail
