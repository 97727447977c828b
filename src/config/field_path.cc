#include "config/field_path.h"

namespace edgefront::config::detail {

namespace {

std::string join(const FieldPath& path, std::string_view message) {
  std::string out = path.empty() ? "(top level)" : path.str();
  out += ": ";
  out += message;
  return out;
}

}  // namespace

FieldPath FieldPath::key(std::string_view name) const {
  FieldPath out = *this;
  if (!out.text_.empty()) out.text_ += '.';
  out.text_ += name;
  return out;
}

FieldPath FieldPath::index(size_t i) const {
  FieldPath out = *this;
  out.text_ += '[';
  out.text_ += std::to_string(i);
  out.text_ += ']';
  return out;
}

void Problems::error(const FieldPath& path, std::string_view reason) {
  errors_.push_back(join(path, reason));
}

void Problems::warn(const FieldPath& path, std::string_view message) {
  warnings_.push_back(join(path, message));
}

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace edgefront::config::detail
