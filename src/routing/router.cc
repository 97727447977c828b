#include "routing/router.h"

#include <algorithm>

#include "base/strings.h"

namespace edgefront::routing {

std::string normalize_host(std::string_view host) {
  host = trim(host);
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    host = close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
  } else {
    size_t colon = host.find(':');
    // A bare IPv6 literal (several colons, no brackets) has no port to strip.
    if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
      host = host.substr(0, colon);
    }
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return to_lower(host);
}

Router::Router(const config::Config& config) {
  dists_.reserve(config.distributions.size());
  for (const config::Distribution& d : config.distributions) {
    CompiledDistribution cd;
    cd.distribution = &d;
    cd.patterns.reserve(d.behaviors.size());
    for (const config::CacheBehavior& b : d.behaviors) cd.patterns.emplace_back(b.path_pattern);
    size_t index = dists_.size();
    dists_.push_back(std::move(cd));
    if (d.aliases.empty() && catch_all_ == kNoDistribution) catch_all_ = index;
    for (const std::string& alias : d.aliases) {
      std::string a = normalize_host(alias);
      if (a.size() > 2 && a.compare(0, 2, "*.") == 0) {
        wildcards_.push_back(WildcardAlias{a.substr(1), index});
      } else if (!a.empty()) {
        exact_.emplace(std::move(a), index);
      }
    }
  }
  // Most specific wildcard first; ties keep configuration order.
  std::stable_sort(wildcards_.begin(), wildcards_.end(),
                   [](const WildcardAlias& x, const WildcardAlias& y) {
                     return x.suffix.size() > y.suffix.size();
                   });
}

size_t Router::find_index(std::string_view host_header) const {
  std::string host = normalize_host(host_header);
  if (host.empty()) return catch_all_;
  if (auto it = exact_.find(host); it != exact_.end()) return it->second;
  for (const WildcardAlias& w : wildcards_) {
    // "*.example.com" matches one or more labels before ".example.com", not the apex.
    if (host.size() > w.suffix.size() &&
        std::string_view(host).substr(host.size() - w.suffix.size()) == w.suffix) {
      return w.index;
    }
  }
  return catch_all_;
}

const config::Distribution* Router::find_distribution(std::string_view host_header) const {
  size_t index = find_index(host_header);
  return index == kNoDistribution ? nullptr : dists_[index].distribution;
}

Route Router::route(std::string_view host_header, std::string_view path) const {
  Route r;
  if (dists_.empty()) {
    r.origin_path.assign(path);
    return r;
  }
  size_t index = find_index(host_header);
  r.unknown_host = index == kNoDistribution;
  const CompiledDistribution* cd = &dists_[r.unknown_host ? 0 : index];
  r.distribution = cd->distribution;
  r.behavior = &r.distribution->default_behavior;
  for (size_t i = 0; i < cd->patterns.size(); ++i) {
    if (cd->patterns[i].matches(path)) {
      r.behavior = &r.distribution->behaviors[i];
      break;
    }
  }
  // DefaultRootObject applies only to exactly "/" (spec §3.17), for every method.
  std::string_view root_object = r.distribution->default_root_object;
  while (!root_object.empty() && root_object.front() == '/') root_object.remove_prefix(1);
  if (path == "/" && !root_object.empty()) {
    r.origin_path.reserve(1 + root_object.size());
    r.origin_path.push_back('/');
    r.origin_path.append(root_object);
  } else {
    r.origin_path.assign(path);
  }
  return r;
}

}  // namespace edgefront::routing
