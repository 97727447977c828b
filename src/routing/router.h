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
  // The Host names no alternate domain name and no distribution is a catch-all (one without
  // aliases): the request is refused (routing/misdirected.h). `distribution` is then the
  // first one, only so that the refusal has a behavior to be answered through.
  bool unknown_host = false;
};

// The host name of a Host header value: port stripped ("h:80", "[::1]:80" -> "::1"), one
// trailing dot removed, lower-cased.
std::string normalize_host(std::string_view host_header);

class Router {
 public:
  // Keeps pointers into `config`, which must outlive the Router.
  explicit Router(const config::Config& config);
  Route route(std::string_view host_header, std::string_view path) const;

  // The distribution for a Host header value: the one whose alias matches, else the first
  // distribution without aliases (the catch-all; with no aliases anywhere, the first one);
  // null when there is neither (or no distribution at all).
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

  static constexpr size_t kNoDistribution = static_cast<size_t>(-1);
  // Index into dists_, or kNoDistribution.
  size_t find_index(std::string_view host_header) const;

  std::vector<CompiledDistribution> dists_;
  std::unordered_map<std::string, size_t> exact_;  // alias -> index into dists_ (first wins)
  std::vector<WildcardAlias> wildcards_;           // longest suffix first
  size_t catch_all_ = kNoDistribution;             // first distribution without aliases
};

}  // namespace edgefront::routing
