// Field paths ("distributions[0].origins[2].http_port") and the error/warning collector the
// loaders report into. Internal to src/config.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace edgefront::config::detail {

// A path to a field, built key by key and index by index. Cheap to copy; each step makes a new
// path, so a parent can hand children their own paths.
class FieldPath {
 public:
  FieldPath() = default;
  explicit FieldPath(std::string root) : text_(std::move(root)) {}

  FieldPath key(std::string_view name) const;
  FieldPath index(size_t i) const;

  const std::string& str() const { return text_; }
  bool empty() const { return text_.empty(); }

 private:
  std::string text_;
};

// Every problem found while loading, each "<field path>: <message>". Loading goes on after an
// error so that one run reports all of them.
class Problems {
 public:
  void error(const FieldPath& path, std::string_view reason);
  void warn(const FieldPath& path, std::string_view message);
  // For problems that have no field path (file unreadable, YAML syntax).
  void error_text(std::string text) { errors_.push_back(std::move(text)); }

  bool has_errors() const { return !errors_.empty(); }
  std::vector<std::string>& errors() { return errors_; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

// `"text"` with '"' and '\' escaped: how names are quoted inside messages.
std::string in_quotes(std::string_view text);

}  // namespace edgefront::config::detail
