#include "tls/server_names.h"

#include "base/strings.h"

namespace edgefront::tls {

void ServerNameIndex::add(size_t index, const std::vector<std::string>& names) {
  for (const std::string& raw : names) {
    std::string name = to_lower(raw);
    if (name.size() > 2 && name.starts_with("*.")) {
      wildcard_.push_back({name.substr(2), index});
    } else if (!name.empty()) {
      exact_.push_back({name, index});
    }
  }
}

size_t ServerNameIndex::select(std::string_view server_name) const {
  if (server_name.empty()) return 0;
  std::string name = to_lower(server_name);
  if (name.back() == '.') name.pop_back();  // an absolute name is the same name
  for (const Entry& e : exact_) {
    if (e.name == name) return e.index;
  }
  // A wildcard stands for one whole label: "*.example.com" matches "a.example.com" only.
  size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0) return 0;
  std::string_view parent = std::string_view(name).substr(dot + 1);
  for (const Entry& e : wildcard_) {
    if (e.name == parent) return e.index;
  }
  return 0;
}

}  // namespace edgefront::tls
