// Picks the distribution (by Host against aliases) and the cache behavior (by path pattern,
// first match in list order) for a request, and the path to ask the origin for.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "routing/path_pattern.h"

namespace edgefront::routing {

struct Route {
  const config::Distribution* distribution = nullptr;
  const config::CacheBehavior* behavior = nullptr;
  // Path to request from the origin: "/" rewritten to "/" + default_root_object when set;
  // otherwise the request path.
  std::string origin_path;
};

// The host name of a Host header value: port stripped ("h:80", "[::1]:80" -> "::1"), one
// trailing dot removed, lower-cased.
std::string normalize_host(std::string_view host_header);

class Router {
 public:
  // Keeps pointers into `config`, which must outlive the Router.
  explicit Router(const config::Config& config);
  Route route(std::string_view host_header, std::string_view path) const;

  // The distribution for a Host header value (the first one when no alias matches); null
  // only when the config has no distributions.
  const config::Distribution* find_distribution(std::string_view host_header) const;

 private:
  struct CompiledDistribution {
    const config::Distribution* distribution = nullptr;
    std::vector<PathPattern> patterns;  // parallel to distribution->behaviors
  };
  struct WildcardAlias {
    std::string suffix;  // ".example.com" for "*.example.com"
    size_t index = 0;    // into dists_
  };

  size_t find_index(std::string_view host_header) const;  // dists_ must be non-empty

  std::vector<CompiledDistribution> dists_;
  std::unordered_map<std::string, size_t> exact_;  // alias -> index into dists_ (first wins)
  std::vector<WildcardAlias> wildcards_;           // longest suffix first
};

}  // namespace edgefront::routing
