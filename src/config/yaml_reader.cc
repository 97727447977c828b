#include "config/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "base/strings.h"
#include "config/duration.h"
#include "config/rules.h"

namespace edgefront::config::detail {

namespace {

// Levenshtein distance, case-insensitive; for "did you mean" suggestions only.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join_options(std::initializer_list<std::string_view> options) {
  std::string out;
  for (std::string_view o : options) {
    if (!out.empty()) out += '|';
    out += o;
  }
  return out;
}

}  // namespace

bool present(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

std::string_view map_name(Dialect d) { return d == Dialect::kCloudFront ? "object" : "mapping"; }

std::string_view list_name(Dialect d) { return d == Dialect::kCloudFront ? "array" : "list"; }

std::optional<int64_t> scalar_int(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  const std::string& text = node.Scalar();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string int_range_reason(int64_t lo, int64_t hi) {
  if (hi == std::numeric_limits<int64_t>::max()) {
    return "expected integer >= " + std::to_string(lo);
  }
  return "expected integer " + std::to_string(lo) + "-" + std::to_string(hi);
}

std::optional<std::string> read_string(const YAML::Node& node, const FieldPath& path,
                                       Problems& problems) {
  if (!node.IsScalar()) {
    problems.error(path, "expected string");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::string> read_id(const YAML::Node& node, const FieldPath& path,
                                   Problems& problems) {
  std::optional<std::string> value = read_string(node, path, problems);
  if (!value) return std::nullopt;
  if (std::optional<std::string> bad = check_id_text(*value)) {
    problems.error(path, *bad);
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> read_int(const YAML::Node& node, const FieldPath& path, Problems& problems,
                                int64_t lo, int64_t hi) {
  std::optional<int64_t> value = scalar_int(node);
  if (!value || *value < lo || *value > hi) {
    problems.error(path, int_range_reason(lo, hi));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> read_bool(const YAML::Node& node, const FieldPath& path, Problems& problems) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    problems.error(path, "expected boolean");
    return std::nullopt;
  }
  return value;
}

std::optional<size_t> read_choice(const YAML::Node& node, const FieldPath& path, Problems& problems,
                                  std::initializer_list<std::string_view> options) {
  if (node.IsScalar()) {
    size_t i = 0;
    for (std::string_view o : options) {
      if (node.Scalar() == o) return i;
      ++i;
    }
  }
  problems.error(path, "expected one of " + join_options(options));
  return std::nullopt;
}

std::optional<Duration> read_duration(const YAML::Node& node, const FieldPath& path,
                                      Problems& problems, Duration lo, Duration hi) {
  std::optional<Duration> value;
  if (node.IsScalar()) value = parse_duration(node.Scalar());
  if (!value || *value < lo || *value > hi) {
    std::string reason = "expected duration ";
    if (hi == Duration::max()) {
      reason += ">= " + format_duration(lo);
    } else {
      reason += format_duration(lo) + "-" + format_duration(hi);
    }
    problems.error(path, reason);
    return std::nullopt;
  }
  return value;
}

bool inert(const YAML::Node& node) {
  if (!present(node)) return true;
  if (node.IsScalar()) return node.Scalar().empty() || to_lower(node.Scalar()) == "false";
  if (node.IsSequence()) return node.size() == 0;
  if (!node.IsMap()) return false;
  YAML::Node enabled = node["Enabled"];
  if (enabled.IsDefined() && enabled.IsScalar() && to_lower(enabled.Scalar()) == "false") {
    return true;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
    const YAML::Node value = it->second;
    if (key == "Quantity" && scalar_int(value) == 0) continue;
    if (key == "RestrictionType" && value.IsScalar() && value.Scalar() == "none") continue;
    if (!inert(value)) return false;
  }
  return true;
}

MapReader::MapReader(const YAML::Node& node, FieldPath path, Dialect dialect, Problems& problems)
    : path_(std::move(path)), dialect_(dialect), problems_(problems) {
  if (!node.IsMap()) {
    problems_.error(path_, "expected " + std::string(map_name(dialect_)));
    return;
  }
  is_map_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      problems_.error(path_, "expected string keys");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (find(key) != nullptr) {
      problems_.error(path_.key(key), "duplicate key");
      continue;
    }
    entries_.push_back(Entry{key, it->second, false});
  }
}

MapReader::Entry* MapReader::find(std::string_view key) {
  for (Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::optional<YAML::Node> MapReader::take(std::string_view key) {
  asked_.emplace_back(key);
  Entry* e = find(key);
  if (e == nullptr) return std::nullopt;
  e->taken = true;
  if (!present(e->value)) return std::nullopt;
  return e->value;
}

std::optional<YAML::Node> MapReader::take_required(std::string_view key) {
  std::optional<YAML::Node> node = take(key);
  if (!node && is_map_) problems_.error(at(key), "required");
  return node;
}

bool MapReader::has(std::string_view key) const {
  const Entry* e = find(key);
  return e != nullptr && present(e->value);
}

std::optional<std::string> MapReader::string(std::string_view key, Need need) {
  std::optional<YAML::Node> node = need == kRequired ? take_required(key) : take(key);
  if (!node) return std::nullopt;
  std::optional<std::string> value = read_string(*node, at(key), problems_);
  if (value && value->empty() && need == kRequired) {
    problems_.error(at(key), "required");
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> MapReader::id(std::string_view key, Need need) {
  std::optional<std::string> value = string(key, need);
  if (!value) return std::nullopt;
  if (std::optional<std::string> bad = check_id_text(*value)) {
    problems_.error(at(key), *bad);
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> MapReader::integer(std::string_view key, int64_t lo, int64_t hi, Need need) {
  std::optional<YAML::Node> node = need == kRequired ? take_required(key) : take(key);
  if (!node) return std::nullopt;
  return read_int(*node, at(key), problems_, lo, hi);
}

std::optional<bool> MapReader::boolean(std::string_view key, Need need) {
  std::optional<YAML::Node> node = need == kRequired ? take_required(key) : take(key);
  if (!node) return std::nullopt;
  return read_bool(*node, at(key), problems_);
}

std::optional<size_t> MapReader::choice(std::string_view key,
                                        std::initializer_list<std::string_view> options,
                                        Need need) {
  std::optional<YAML::Node> node = need == kRequired ? take_required(key) : take(key);
  if (!node) return std::nullopt;
  return read_choice(*node, at(key), problems_, options);
}

std::optional<Duration> MapReader::duration(std::string_view key, Duration lo, Duration hi,
                                            Need need) {
  std::optional<YAML::Node> node = need == kRequired ? take_required(key) : take(key);
  if (!node) return std::nullopt;
  return read_duration(*node, at(key), problems_, lo, hi);
}

bool MapReader::unsupported(std::string_view key, std::string_view message) {
  std::optional<YAML::Node> node = take(key);
  if (!node) return false;
  if (!inert(*node)) problems_.warn(at(key), message);
  return true;
}

bool MapReader::unsupported_always(std::string_view key, std::string_view message) {
  std::optional<YAML::Node> node = take(key);
  if (!node) return false;
  problems_.warn(at(key), message);
  return true;
}

std::vector<std::string> MapReader::keys() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.key);
  return out;
}

void MapReader::finish() {
  if (finished_) return;
  finished_ = true;
  for (const Entry& e : entries_) {
    if (e.taken) continue;
    std::string message = "unknown field";
    if (dialect_ == Dialect::kCloudFront) message += "; ignored";
    const std::string* best = nullptr;
    size_t best_distance = 3;  // suggest only close matches
    for (const std::string& known : asked_) {
      size_t d = edit_distance(e.key, known);
      if (d < best_distance && d < std::max<size_t>(known.size() / 2, 1)) {
        best = &known;
        best_distance = d;
      }
    }
    if (best != nullptr) message += " (did you mean " + in_quotes(*best) + "?)";
    if (dialect_ == Dialect::kCloudFront) {
      problems_.warn(at(e.key), message);
    } else {
      problems_.error(at(e.key), message);
    }
  }
}

std::vector<std::pair<YAML::Node, FieldPath>> list_items(const YAML::Node& node,
                                                         const FieldPath& path, Dialect dialect,
                                                         Problems& problems) {
  std::vector<std::pair<YAML::Node, FieldPath>> out;
  if (!node.IsSequence()) {
    problems.error(path, "expected " + std::string(list_name(dialect)));
    return out;
  }
  for (size_t i = 0; i < node.size(); ++i) out.emplace_back(node[i], path.index(i));
  return out;
}

}  // namespace edgefront::config::detail
