// Which certificate answers a TLS server name (SNI): exact names first, then a wildcard
// ("*.example.com" covers exactly one label), else the default (the first certificate).
// Pure, so the choice is unit-tested without handshakes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace edgefront::tls {

class ServerNameIndex {
 public:
  // Registers the DNS names of certificate `index` (lower-cased here). Earlier certificates
  // win when two list the same name.
  void add(size_t index, const std::vector<std::string>& names);
  // The certificate for `server_name`; 0 (the default) when it is empty or unknown.
  size_t select(std::string_view server_name) const;

 private:
  struct Entry {
    std::string name;  // exact name, or the suffix after "*." for wildcards
    size_t index;
  };
  std::vector<Entry> exact_;
  std::vector<Entry> wildcard_;
};

}  // namespace edgefront::tls
