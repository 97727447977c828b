#include "config/native_yaml.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "config/admin_rules.h"
#include "config/byte_size.h"
#include "config/distribution_checks.h"
#include "config/duration.h"
#include "config/effective_forwarding.h"
#include "config/listen_tls.h"
#include "config/native_policies.h"
#include "config/response_headers_policies.h"
#include "config/rules.h"
#include "config/yaml_reader.h"
#include "tls/trust_store.h"

namespace edgefront::config::detail {

namespace {

using Items = std::vector<std::pair<YAML::Node, FieldPath>>;

constexpr Dialect kNative = Dialect::kNative;
constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
constexpr std::string_view kListenReason =
    "expected host:port with an IPv4 address or a bracketed IPv6 address, e.g. 127.0.0.1:8080";

// Fields that only make sense for an HTTP(S) origin.
constexpr std::string_view kDomainOnly[] = {"http_port",
                                            "https_port",
                                            "protocol_policy",
                                            "ssl_protocols",
                                            "custom_headers",
                                            "connection_attempts",
                                            "connection_timeout",
                                            "read_timeout",
                                            "keepalive_timeout",
                                            "forward_viewer_host",
                                            "health_check",
                                            "max_concurrent_requests",
                                            "ca_file"};

// Route 53's limits on a health check's ResourcePath and search string.
constexpr size_t kMaxHealthCheckText = 255;

// A health check path: starts with '/', at most 255 characters, nothing that would break the
// probe's request line. A query string is allowed (Route 53 allows one too).
std::optional<std::string> check_health_check_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return "expected a path starting with '/'";
  if (path.size() > kMaxHealthCheckText) return "at most 255 characters";
  for (char c : path) {
    if (c == '#' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return "character " + in_quotes(std::string_view(&c, 1)) + " is not allowed in a path";
    }
  }
  return std::nullopt;
}

// "200" or "200-399"; each end 100-599, min <= max. Returns {min, max}.
std::optional<std::pair<int, int>> parse_status_range(std::string_view text) {
  auto number = [](std::string_view t) -> std::optional<int> {
    int value = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
    if (value < 100 || value > 599) return std::nullopt;
    return value;
  };
  size_t dash = text.find('-');
  std::optional<int> lo = number(text.substr(0, dash));
  std::optional<int> hi = dash == std::string_view::npos ? lo : number(text.substr(dash + 1));
  if (!lo || !hi || *lo > *hi) return std::nullopt;
  return std::make_pair(*lo, *hi);
}

class NativeLoader {
 public:
  NativeLoader(std::string base_dir, Problems& problems)
      : base_dir_(std::move(base_dir)), problems_(problems) {}

  void load(const YAML::Node& root, Config& config);

 private:
  void server(const YAML::Node& node, const FieldPath& path, Server& s);
  std::optional<ListenAddress> listen_address(const YAML::Node& node, const FieldPath& path);
  std::optional<ListenAddress> listen_map(const YAML::Node& node, const FieldPath& path);
  void limits(const YAML::Node& node, const FieldPath& path, Limits& l);
  void cache_storage(const YAML::Node& node, const FieldPath& path, CacheStorage& c);
  void access_log(const YAML::Node& node, const FieldPath& path, AccessLogSettings& a);
  void distribution_logging(const YAML::Node& node, const FieldPath& path, DistributionLogging& l);
  void disk_storage(const YAML::Node& node, const FieldPath& path, CacheStorage& c);
  void cache_settings(MapReader& m, CacheBehavior& b);
  void distribution(const YAML::Node& node, const FieldPath& path, Distribution& d);
  void origin(const YAML::Node& node, const FieldPath& path, Distribution& d,
              DistributionPaths& paths);
  void domain_fields(MapReader& m, Origin& o);
  void health_check(const YAML::Node& node, const FieldPath& path, HealthCheck& hc);
  void outlier_detection(const YAML::Node& node, const FieldPath& path, OutlierDetection& od);
  void failover_bounds(const YAML::Node& node, const FieldPath& path, FailoverBounds& fb);
  std::optional<std::string> directory(const std::string& dir, const FieldPath& path);
  void origin_group(const YAML::Node& node, const FieldPath& path, Distribution& d,
                    DistributionPaths& paths);
  void behavior(const YAML::Node& node, const FieldPath& path, bool is_default, CacheBehavior& b);
  void forwarding(const YAML::Node& node, const FieldPath& path, Forwarding& f);
  void custom_error_response(const YAML::Node& node, const FieldPath& path, Distribution& d,
                             DistributionPaths& paths);
  std::vector<std::string> strings(const YAML::Node& node, const FieldPath& path);

  std::string base_dir_;
  Problems& problems_;
  NativePolicies policies_;  // cache_policies / origin_request_policies, read first
  std::vector<ResponseHeadersPolicy> response_headers_policies_;
};

void NativeLoader::load(const YAML::Node& root, Config& config) {
  MapReader m(root, FieldPath(), kNative, problems_);
  if (std::optional<YAML::Node> s = m.take("server")) server(*s, m.at("server"), config.server);
  if (std::optional<YAML::Node> p = m.take("cache_policies")) {
    load_cache_policies(*p, m.at("cache_policies"), problems_, policies_);
  }
  if (std::optional<YAML::Node> p = m.take("origin_request_policies")) {
    load_origin_request_policies(*p, m.at("origin_request_policies"), problems_, policies_);
  }
  if (std::optional<YAML::Node> p = m.take("response_headers_policies")) {
    load_response_headers_policies(*p, m.at("response_headers_policies"), problems_,
                                   response_headers_policies_);
  }

  std::optional<YAML::Node> list = m.take("distributions");
  std::optional<YAML::Node> single = m.take("distribution");
  if (list && single) {
    problems_.error(m.at("distribution"), "not allowed together with distributions");
  } else if (single) {
    Distribution d;
    distribution(*single, m.at("distribution"), d);
    config.distributions.push_back(std::move(d));
  } else if (list) {
    Items items = list_items(*list, m.at("distributions"), kNative, problems_);
    if (list->IsSequence() && items.empty()) {
      problems_.error(m.at("distributions"), "at least one distribution required");
    }
    std::vector<FieldPath> id_paths;
    for (const auto& [item, item_path] : items) {
      Distribution d;
      distribution(item, item_path, d);
      id_paths.push_back(item_path.key("id"));
      config.distributions.push_back(std::move(d));
    }
    // Ids name distributions in logs and metrics; aliases route Host names: both unique.
    for (size_t i = 0; i < config.distributions.size(); ++i) {
      const Distribution& d = config.distributions[i];
      for (size_t j = 0; j < i; ++j) {
        if (config.distributions[j].id == d.id) {
          problems_.error(id_paths[i], "duplicate id " + in_quotes(d.id));
          break;
        }
      }
      for (size_t a = 0; a < d.aliases.size(); ++a) {
        for (size_t j = 0; j < i; ++j) {
          const std::vector<std::string>& other = config.distributions[j].aliases;
          if (std::find(other.begin(), other.end(), d.aliases[a]) != other.end()) {
            problems_.error(items[i].second.key("aliases"),
                            in_quotes(d.aliases[a]) + " is already an alias of distribution " +
                                in_quotes(config.distributions[j].id));
            break;
          }
        }
      }
    }
  } else if (m.is_map()) {
    problems_.error(m.at("distributions"), "required");
  }
  m.finish();
}

void NativeLoader::server(const YAML::Node& node, const FieldPath& path, Server& s) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (std::optional<YAML::Node> listen = m.take("listen")) {
    s.listen.clear();
    Items items;
    if (listen->IsSequence()) {
      items = list_items(*listen, m.at("listen"), kNative, problems_);
      if (items.empty()) problems_.error(m.at("listen"), "at least one address required");
    } else {
      items.emplace_back(*listen, m.at("listen"));
    }
    for (const auto& [item, item_path] : items) {
      std::optional<ListenAddress> address = listen_address(item, item_path);
      if (!address) continue;
      bool duplicate = false;
      for (const ListenAddress& earlier : s.listen) {
        // Port 0 picks a free port per listener, so two of them never collide.
        duplicate = duplicate || (earlier.host == address->host && earlier.port == address->port &&
                                  address->port != 0);
      }
      if (duplicate) {
        problems_.error(item_path, "duplicate address " + format_listen_address(*address));
      } else {
        s.listen.push_back(*address);
      }
    }
  }
  if (std::optional<int64_t> workers = m.integer("workers", 0, 1024)) {
    s.workers = static_cast<int>(*workers);
  }
  if (std::optional<YAML::Node> admin = m.take("admin")) {
    if (admin->IsScalar() && (admin->Scalar() == "off" || admin->Scalar() == "false")) {
      s.admin.reset();
    } else if (std::optional<ListenAddress> address = listen_address(*admin, m.at("admin"))) {
      s.admin = *address;
      if (address->tls) problems_.error(m.at("admin"), "the admin API does not serve TLS");
    } else {
      s.admin.reset();
    }
  }
  std::optional<std::string> token = m.string("admin_token");
  if (token && is_blank_token(*token)) {
    problems_.error(m.at("admin_token"), "must not be empty or blank (omit it for no token)");
  } else if (token) {
    s.admin_token = *token;
  }
  if (!(token && is_blank_token(*token)) && check_admin_exposure(s)) {
    problems_.error(m.at("admin_token"), "required when admin listens on a non-loopback address");
  }
  if (s.admin) {
    for (const ListenAddress& l : s.listen) {
      if (l.port != 0 && l.port == s.admin->port && l.host == s.admin->host) {
        problems_.error(m.at("admin"), "same address as a server.listen address");
        break;
      }
    }
  }
  if (std::optional<bool> served_by = m.boolean("served_by_header")) {
    s.served_by_header = *served_by;
  }
  if (std::optional<std::string> via = m.string("via_name")) {
    if (!is_header_name(*via)) {
      problems_.error(m.at("via_name"), "expected a name without spaces, commas or quotes");
    } else {
      s.via_name = *via;
    }
  }
  if (std::optional<YAML::Node> log = m.take("access_log")) {
    access_log(*log, m.at("access_log"), s.access_log);
  }
  if (std::optional<YAML::Node> l = m.take("limits")) limits(*l, m.at("limits"), s.limits);
  if (std::optional<YAML::Node> c = m.take("cache")) cache_storage(*c, m.at("cache"), s.cache);
  m.finish();
}

void NativeLoader::access_log(const YAML::Node& node, const FieldPath& path, AccessLogSettings& a) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (std::optional<std::string> file = m.string("path", MapReader::kRequired)) {
    if (file->empty()) {
      problems_.error(m.at("path"), "must not be empty");
    } else {
      a.path = *file;
    }
  }
  if (std::optional<std::string> format = m.string("format")) {
    if (*format == "cloudfront") {
      a.format = AccessLogSettings::Format::kCloudFront;
    } else if (*format == "json") {
      a.format = AccessLogSettings::Format::kJsonLines;
    } else {
      problems_.error(m.at("format"), "expected cloudfront or json");
    }
  }
  if (std::optional<std::string> location = m.string("edge_location")) {
    if (location->empty() || !is_header_name(*location)) {
      problems_.error(m.at("edge_location"), "expected a name without spaces, e.g. FRA1");
    } else {
      a.edge_location = *location;
    }
  }
  m.finish();
}

void NativeLoader::distribution_logging(const YAML::Node& node, const FieldPath& path,
                                        DistributionLogging& l) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (std::optional<bool> enabled = m.boolean("enabled")) l.enabled = *enabled;
  if (std::optional<bool> cookies = m.boolean("include_cookies")) l.include_cookies = *cookies;
  if (auto rate = m.integer("sampling_rate", 1, 100)) l.sampling_percent = static_cast<int>(*rate);
  m.finish();
}

void NativeLoader::cache_storage(const YAML::Node& node, const FieldPath& path, CacheStorage& c) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (std::optional<YAML::Node> memory = m.take("memory")) {
    std::optional<uint64_t> bytes;
    if (memory->IsScalar()) bytes = parse_byte_size(memory->Scalar());
    // 0 turns the cache off; anything else must hold at least a few objects per shard.
    if (!bytes || (*bytes != 0 && *bytes < (1u << 20))) {
      problems_.error(m.at("memory"),
                      "expected 0 (no cache) or a size of at least 1MiB, e.g. 256MiB (units B, "
                      "KiB, MiB, GiB, TiB)");
    } else {
      c.memory_bytes = *bytes;
    }
  }
  if (auto after = m.duration("serve_stale_after", 0ms, 10min)) c.serve_stale_after = *after;
  if (std::optional<YAML::Node> disk = m.take("disk")) disk_storage(*disk, m.at("disk"), c);
  m.finish();
}

void NativeLoader::disk_storage(const YAML::Node& node, const FieldPath& path, CacheStorage& c) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (std::optional<std::string> dir = m.string("path", MapReader::kRequired)) {
    c.disk_path = *dir;
  }
  if (std::optional<YAML::Node> size = m.take_required("size")) {
    std::optional<uint64_t> bytes;
    if (size->IsScalar()) bytes = parse_byte_size(size->Scalar());
    if (!bytes || *bytes < (1u << 20)) {
      problems_.error(m.at("size"),
                      "expected a size of at least 1MiB, e.g. 10GiB (units B, KiB, MiB, GiB, TiB)");
    } else {
      c.disk_bytes = *bytes;
    }
  }
  m.finish();
}

std::optional<ListenAddress> NativeLoader::listen_address(const YAML::Node& node,
                                                          const FieldPath& path) {
  std::optional<ListenAddress> address;
  if (node.IsMap()) return listen_map(node, path);
  if (node.IsScalar()) address = parse_listen_address(node.Scalar());
  if (!address) problems_.error(path, kListenReason);
  return address;
}

// {address: host:port, tls: {...}}: a listen address with viewer TLS.
std::optional<ListenAddress> NativeLoader::listen_map(const YAML::Node& node,
                                                      const FieldPath& path) {
  MapReader m(node, path, kNative, problems_);
  std::optional<ListenAddress> address;
  if (std::optional<YAML::Node> a = m.take_required("address")) {
    if (a->IsScalar()) address = parse_listen_address(a->Scalar());
    if (!address) problems_.error(m.at("address"), kListenReason);
  }
  bool tls_ok = true;
  std::optional<ListenTls> tls;
  if (std::optional<YAML::Node> t = m.take("tls")) {
    tls = read_listen_tls(*t, m.at("tls"), base_dir_, problems_);
    tls_ok = tls.has_value();
  }
  m.finish();
  if (!address || !tls_ok) return std::nullopt;
  address->tls = std::move(tls);
  return address;
}

void NativeLoader::limits(const YAML::Node& node, const FieldPath& path, Limits& l) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (auto v = m.integer("max_header_bytes", 1024, 1 << 20)) l.max_header_bytes = *v;
  if (auto v = m.integer("max_header_count", 1, 10000)) l.max_header_count = *v;
  if (auto v = m.integer("max_uri_bytes", 256, 1 << 20)) l.max_uri_bytes = *v;
  if (auto v = m.integer("max_body_bytes", 0, kMaxInt)) {
    l.max_body_bytes = static_cast<uint64_t>(*v);
  }
  constexpr Duration kHour = std::chrono::hours(1);
  if (auto v = m.duration("header_timeout", 1ms, kHour)) l.header_timeout = *v;
  if (auto v = m.duration("idle_timeout", 1ms, kHour)) l.idle_timeout = *v;
  if (auto v = m.duration("body_timeout", 1ms, kHour)) l.body_timeout = *v;
  if (auto v = m.duration("send_timeout", 1ms, kHour)) l.send_timeout = *v;
  if (auto v = m.duration("drain_timeout", 0ms, kHour)) l.drain_timeout = *v;
  m.finish();
}

void NativeLoader::distribution(const YAML::Node& node, const FieldPath& path, Distribution& d) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  DistributionPaths paths;
  if (std::optional<std::string> id = m.id("id")) {
    if (id->empty()) {
      problems_.error(m.at("id"), "must not be empty");
    } else {
      d.id = *id;
    }
  }
  if (std::optional<YAML::Node> aliases = m.take("aliases")) {
    for (const auto& [item, item_path] :
         list_items(*aliases, m.at("aliases"), kNative, problems_)) {
      std::optional<std::string> alias = read_string(item, item_path, problems_);
      if (!alias) continue;
      std::string lower = to_lower(*alias);
      if (std::optional<std::string> reason = check_alias(lower)) {
        problems_.error(item_path, *reason);
      } else if (std::find(d.aliases.begin(), d.aliases.end(), lower) != d.aliases.end()) {
        problems_.error(item_path, "duplicate alias " + in_quotes(lower));
      } else {
        d.aliases.push_back(lower);
      }
    }
  }
  if (std::optional<bool> enabled = m.boolean("enabled")) d.enabled = *enabled;
  if (std::optional<std::string> root = m.string("default_root_object")) {
    if (std::optional<std::string> reason = check_default_root_object(*root)) {
      problems_.error(m.at("default_root_object"), *reason);
    } else {
      d.default_root_object = *root;
    }
  }
  if (std::optional<YAML::Node> logging = m.take("logging")) {
    distribution_logging(*logging, m.at("logging"), d.logging);
  }
  if (std::optional<std::string> tag_header = m.string("cache_tag_header")) {
    if (!is_header_name(*tag_header)) {
      problems_.error(m.at("cache_tag_header"), "expected an HTTP header name");
    } else {
      d.cache_tag_header = *tag_header;
    }
  }
  if (std::optional<YAML::Node> origins = m.take_required("origins")) {
    Items items = list_items(*origins, m.at("origins"), kNative, problems_);
    if (origins->IsSequence() && items.empty()) {
      problems_.error(m.at("origins"), "at least one origin required");
    }
    for (const auto& [item, item_path] : items) origin(item, item_path, d, paths);
  }
  if (std::optional<YAML::Node> groups = m.take("origin_groups")) {
    for (const auto& [item, item_path] :
         list_items(*groups, m.at("origin_groups"), kNative, problems_)) {
      origin_group(item, item_path, d, paths);
    }
  }
  paths.behavior_targets.push_back(m.at("default_cache_behavior").key("target_origin_id"));
  paths.behavior_origin_request_policies.push_back(
      m.at("default_cache_behavior").key("origin_request_policy"));
  if (std::optional<YAML::Node> b = m.take_required("default_cache_behavior")) {
    behavior(*b, m.at("default_cache_behavior"), true, d.default_behavior);
  }
  if (std::optional<YAML::Node> behaviors = m.take("cache_behaviors")) {
    for (const auto& [item, item_path] :
         list_items(*behaviors, m.at("cache_behaviors"), kNative, problems_)) {
      CacheBehavior b;
      b.path_pattern.clear();
      paths.behavior_targets.push_back(item_path.key("target_origin_id"));
      paths.behavior_origin_request_policies.push_back(item_path.key("origin_request_policy"));
      paths.behavior_patterns.push_back(item_path.key("path_pattern"));
      behavior(item, item_path, false, b);
      d.behaviors.push_back(std::move(b));
    }
  }
  if (std::optional<YAML::Node> errors = m.take("custom_error_responses")) {
    for (const auto& [item, item_path] :
         list_items(*errors, m.at("custom_error_responses"), kNative, problems_)) {
      custom_error_response(item, item_path, d, paths);
    }
  }
  m.finish();
  check_distribution(d, paths, problems_);
}

void NativeLoader::origin(const YAML::Node& node, const FieldPath& path, Distribution& d,
                          DistributionPaths& paths) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  Origin o;
  if (std::optional<std::string> id = m.id("id", MapReader::kRequired)) o.id = *id;

  bool has_directory = m.has("directory");
  bool has_domain = m.has("domain_name");
  if (has_directory && has_domain) {
    problems_.error(path, "give either directory or domain_name, not both");
  } else if (!has_directory && !has_domain) {
    problems_.error(path, "required: directory or domain_name");
  }
  if (std::optional<std::string> dir = m.string("directory", MapReader::kOptional)) {
    if (dir->empty()) {
      problems_.error(m.at("directory"), "required");
    } else if (std::optional<std::string> absolute = directory(*dir, m.at("directory"))) {
      o.directory = *absolute;
    }
  }
  if (std::optional<std::string> domain = m.string("domain_name")) {
    if (is_bare_host(*domain)) {
      o.domain_name = to_lower(*domain);
    } else {
      problems_.error(m.at("domain_name"),
                      "expected a bare host name (ports come from http_port/https_port)");
    }
  }
  if (std::optional<std::string> origin_path = m.string("origin_path")) {
    if (std::optional<std::string> reason = check_origin_path(*origin_path)) {
      problems_.error(m.at("origin_path"), *reason);
    } else {
      o.origin_path = *origin_path;
    }
  }
  if (has_directory && !has_domain) {
    for (std::string_view key : kDomainOnly) {
      if (m.take(key)) problems_.error(m.at(key), "only allowed with domain_name");
    }
  } else {
    domain_fields(m, o);
  }
  m.finish();

  paths.origin_ids.push_back(m.at("id"));
  d.origins.push_back(std::move(o));
}

void NativeLoader::domain_fields(MapReader& m, Origin& o) {
  if (auto port = m.integer("http_port", 1, 65535)) o.http_port = static_cast<uint16_t>(*port);
  if (auto port = m.integer("https_port", 1, 65535)) o.https_port = static_cast<uint16_t>(*port);
  if (auto policy = m.choice("protocol_policy", {"http-only", "https-only", "match-viewer"})) {
    constexpr OriginProtocolPolicy kPolicies[] = {OriginProtocolPolicy::kHttpOnly,
                                                  OriginProtocolPolicy::kHttpsOnly,
                                                  OriginProtocolPolicy::kMatchViewer};
    o.protocol_policy = kPolicies[*policy];
  }
  if (std::optional<YAML::Node> protocols = m.take("ssl_protocols")) {
    for (const auto& [item, item_path] :
         list_items(*protocols, m.at("ssl_protocols"), kNative, problems_)) {
      constexpr std::string_view kNames[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"};
      std::optional<size_t> i =
          read_choice(item, item_path, problems_, {kNames[0], kNames[1], kNames[2], kNames[3]});
      if (!i) continue;
      if (std::find(o.ssl_protocols.begin(), o.ssl_protocols.end(), kNames[*i]) !=
          o.ssl_protocols.end()) {
        problems_.error(item_path, "duplicate protocol " + std::string(kNames[*i]));
      } else {
        o.ssl_protocols.emplace_back(kNames[*i]);
      }
    }
  }
  if (std::optional<std::string> ca = m.string("ca_file")) {
    std::string path = resolve_config_path(*ca, base_dir_);
    if (auto store = tls::load_trust_store(path); !store.ok()) {
      problems_.error(m.at("ca_file"), store.error().message);
    } else {
      o.ca_file = std::move(path);
    }
  }
  if (std::optional<YAML::Node> headers = m.take("custom_headers")) {
    MapReader h(*headers, m.at("custom_headers"), kNative, problems_);
    std::vector<std::string> names = h.keys();
    if (names.size() > kMaxCustomHeaders) {
      problems_.error(m.at("custom_headers"), "at most 10 headers");
    }
    for (const std::string& name : names) {
      std::optional<YAML::Node> value_node = h.take(name);
      FieldPath header_path = h.at(name);
      std::optional<std::string> value =
          value_node ? read_string(*value_node, header_path, problems_) : std::string();
      if (!value) continue;
      if (std::optional<std::string> reason = check_custom_header_name(name)) {
        problems_.error(header_path, *reason);
      } else if (std::optional<std::string> reason = check_custom_header_value(*value)) {
        problems_.error(header_path, *reason);
      } else if (std::any_of(o.custom_headers.begin(), o.custom_headers.end(),
                             [&](const CustomHeader& c) { return iequals(c.name, name); })) {
        problems_.error(header_path, "duplicate header " + in_quotes(name));
      } else {
        o.custom_headers.push_back(CustomHeader{name, *value});
      }
    }
    h.finish();
  }
  if (auto n = m.integer("connection_attempts", 1, 3)) o.connection_attempts = static_cast<int>(*n);
  if (auto t = m.duration("connection_timeout", 1ms, 60s)) o.connection_timeout = *t;
  if (auto t = m.duration("read_timeout", 1ms, 10min)) o.read_timeout = *t;
  if (auto t = m.duration("keepalive_timeout", 0ms, 10min)) o.keepalive_timeout = *t;
  if (auto b = m.boolean("forward_viewer_host")) o.forward_viewer_host = *b;
  if (std::optional<YAML::Node> hc = m.take("health_check")) {
    health_check(*hc, m.at("health_check"), o.health_check);
  }
  if (auto n = m.integer("max_concurrent_requests", 1, 1000000)) {
    o.max_concurrent_requests = static_cast<int>(*n);
  }
}

// The block's presence turns the check on; `enabled: false` keeps it written down but off.
// Every field is validated either way.
void NativeLoader::health_check(const YAML::Node& node, const FieldPath& path, HealthCheck& hc) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  HealthCheck out;
  out.enabled = m.boolean("enabled").value_or(true);
  if (auto protocol = m.choice("protocol", {"origin", "http", "https", "tcp"})) {
    constexpr HealthCheck::Protocol kProtocols[] = {
        HealthCheck::Protocol::kOrigin, HealthCheck::Protocol::kHttp, HealthCheck::Protocol::kHttps,
        HealthCheck::Protocol::kTcp};
    out.protocol = kProtocols[*protocol];
  }
  if (out.protocol == HealthCheck::Protocol::kTcp) {
    // A TCP check only connects: nothing to request and no response to judge.
    for (std::string_view key : {"path", "expected_status", "body_contains"}) {
      if (m.take(key)) problems_.error(m.at(key), "not allowed with protocol: tcp");
    }
  } else if (std::optional<std::string> p = m.string("path")) {
    if (std::optional<std::string> reason = check_health_check_path(*p)) {
      problems_.error(m.at("path"), *reason);
    } else {
      out.path = *p;
    }
  }
  if (auto port = m.integer("port", 1, 65535)) out.port = static_cast<uint16_t>(*port);
  bool has_interval = m.has("interval");
  bool has_timeout = m.has("timeout");
  std::optional<Duration> interval = m.duration("interval", 100ms, 10min);
  std::optional<Duration> timeout = m.duration("timeout", 10ms, 60s);
  if (interval) out.interval = *interval;
  if (timeout) out.timeout = *timeout;
  // Compare only values that were read fine (or defaulted), and blame the field the user wrote.
  if ((!has_interval || interval) && (!has_timeout || timeout) && out.timeout >= out.interval) {
    if (has_timeout) {
      problems_.error(m.at("timeout"),
                      "must be less than interval (" + format_duration(out.interval) + ")");
    } else {
      problems_.error(m.at("interval"), "must be greater than timeout (" +
                                            format_duration(out.timeout) + " by default)");
    }
  }
  if (auto n = m.integer("healthy_threshold", 1, 10)) out.healthy_threshold = static_cast<int>(*n);
  if (auto n = m.integer("unhealthy_threshold", 1, 10)) {
    out.unhealthy_threshold = static_cast<int>(*n);
  }
  bool tcp = out.protocol == HealthCheck::Protocol::kTcp;
  if (std::optional<YAML::Node> status = tcp ? std::nullopt : m.take("expected_status")) {
    std::optional<std::pair<int, int>> range;
    if (status->IsScalar()) range = parse_status_range(status->Scalar());
    if (!range) {
      problems_.error(m.at("expected_status"),
                      "expected a status code or a range min-max, each 100-599, e.g. 200-399");
    } else {
      out.expected_status_min = range->first;
      out.expected_status_max = range->second;
    }
  }
  if (std::optional<std::string> body = tcp ? std::nullopt : m.string("body_contains")) {
    if (body->size() > kMaxHealthCheckText) {
      problems_.error(m.at("body_contains"), "at most 255 characters");
    } else {
      out.body_contains = *body;
    }
  }
  m.finish();
  hc = std::move(out);
}

// `off` (or `false`) disables; otherwise a mapping, on unless `enabled: false`.
void NativeLoader::outlier_detection(const YAML::Node& node, const FieldPath& path,
                                     OutlierDetection& od) {
  if (node.IsScalar()) {
    if (node.Scalar() == "off" || node.Scalar() == "false") {
      od.enabled = false;
    } else {
      problems_.error(path, "expected mapping or off");
    }
    return;
  }
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (std::optional<bool> enabled = m.boolean("enabled")) od.enabled = *enabled;
  if (auto n = m.integer("consecutive_failures", 1, 1000)) {
    od.consecutive_failures = static_cast<int>(*n);
  }
  bool has_base = m.has("base_ejection");
  bool has_max = m.has("max_ejection");
  std::optional<Duration> base = m.duration("base_ejection", 100ms, std::chrono::hours(1));
  std::optional<Duration> max = m.duration("max_ejection", 100ms, std::chrono::hours(24));
  if (base) od.base_ejection = *base;
  if (max) od.max_ejection = *max;
  if ((!has_base || base) && (!has_max || max) && od.max_ejection < od.base_ejection) {
    if (has_max) {
      problems_.error(m.at("max_ejection"),
                      "must be at least base_ejection (" + format_duration(od.base_ejection) + ")");
    } else {
      problems_.error(m.at("base_ejection"), "must not exceed max_ejection (" +
                                                 format_duration(od.max_ejection) + " by default)");
    }
  }
  if (auto n = m.integer("max_ejected_percent", 0, 100)) {
    od.max_ejected_percent = static_cast<int>(*n);
  }
  if (auto d = m.duration("recovery_window", 0ms, std::chrono::hours(1))) od.recovery_window = *d;
  m.finish();
}

// origin_groups[].failover: per-request budget, adaptive connect timeout, retry budget.
void NativeLoader::failover_bounds(const YAML::Node& node, const FieldPath& path,
                                   FailoverBounds& fb) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (auto n = m.integer("max_attempts", 1, 100)) fb.max_attempts = static_cast<int>(*n);
  if (auto d = m.duration("max_time", 10ms, std::chrono::hours(1))) fb.max_time = *d;
  if (std::optional<YAML::Node> ac = m.take("adaptive_connect_timeout")) {
    // `off` is CloudFront-exact: every connect waits the origin's connection_timeout.
    if (ac->IsScalar() && (ac->Scalar() == "off" || ac->Scalar() == "false")) {
      fb.adaptive_connect = false;
    } else if (ac->IsScalar() && (ac->Scalar() == "on" || ac->Scalar() == "true")) {
      fb.adaptive_connect = true;
    } else if (MapReader a(*ac, m.at("adaptive_connect_timeout"), kNative, problems_); a.is_map()) {
      fb.adaptive_connect = true;
      if (std::optional<bool> on = a.boolean("enabled")) fb.adaptive_connect = *on;
      if (auto d = a.duration("floor", 1ms, 60s)) fb.connect_floor = *d;
      if (auto n = a.integer("multiplier", 1, 100)) fb.connect_multiplier = static_cast<int>(*n);
      a.finish();
    }
  }
  if (std::optional<YAML::Node> rb = m.take("retry_budget")) {
    MapReader r(*rb, m.at("retry_budget"), kNative, problems_);
    if (r.is_map()) {
      if (auto n = r.integer("percent", 1, 100, MapReader::kRequired)) {
        fb.retry_budget_percent = static_cast<int>(*n);
      }
      if (auto n = r.integer("min_retries", 0, 1000000)) {
        fb.retry_budget_min = static_cast<int>(*n);
      }
      if (auto d = r.duration("window", 1s, 60s)) fb.retry_budget_window = *d;
      r.finish();
    }
  }
  if (std::optional<bool> ra = m.boolean("honor_retry_after")) fb.honor_retry_after = *ra;
  if (std::optional<bool> rn = m.boolean("retry_non_idempotent")) fb.retry_non_idempotent = *rn;
  if (auto d = m.duration("hedge_after", 1ms, 60s)) fb.hedge_after = *d;
  m.finish();
}

std::optional<std::string> NativeLoader::directory(const std::string& dir, const FieldPath& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(dir);
  if (p.is_relative()) {
    fs::path base = base_dir_.empty() ? fs::current_path(ec) : fs::path(base_dir_);
    p = base / p;
  }
  p = fs::absolute(p, ec).lexically_normal();
  std::string text = p.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  if (!fs::exists(text, ec)) {
    problems_.error(path, "directory " + in_quotes(text) + " does not exist");
    return std::nullopt;
  }
  if (!fs::is_directory(text, ec)) {
    problems_.error(path, in_quotes(text) + " is not a directory");
    return std::nullopt;
  }
  return text;
}

void NativeLoader::origin_group(const YAML::Node& node, const FieldPath& path, Distribution& d,
                                DistributionPaths& paths) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  OriginGroup g;
  std::vector<FieldPath> member_paths;
  if (std::optional<std::string> id = m.id("id", MapReader::kRequired)) g.id = *id;
  if (std::optional<YAML::Node> members = m.take_required("members")) {
    Items items = list_items(*members, m.at("members"), kNative, problems_);
    for (const auto& [item, item_path] : items) {
      std::optional<std::string> id = read_id(item, item_path, problems_);
      g.member_origin_ids.push_back(id.value_or(""));
      member_paths.push_back(item_path);
    }
    if (members->IsSequence() && items.size() < 2) {
      problems_.error(m.at("members"), "at least 2 members required");
    }
  }
  if (std::optional<YAML::Node> codes = m.take_required("failover_status_codes")) {
    Items items = list_items(*codes, m.at("failover_status_codes"), kNative, problems_);
    if (codes->IsSequence() && items.empty()) {
      problems_.error(m.at("failover_status_codes"), "at least one status code required");
    }
    for (const auto& [item, item_path] : items) {
      std::optional<int64_t> code = read_int(item, item_path, problems_, 400, 599);
      if (!code) continue;
      if (contains(g.failover_status_codes, static_cast<int>(*code))) {
        problems_.error(item_path, "duplicate status code " + std::to_string(*code));
      } else {
        g.failover_status_codes.push_back(static_cast<int>(*code));
      }
    }
  }
  if (auto selection = m.choice("selection", {"health-aware", "cloudfront"})) {
    g.selection = *selection == 0 ? OriginGroup::Selection::kHealthAware
                                  : OriginGroup::Selection::kCloudFront;
    // CloudFront-exact groups keep ConnectionTimeout unless `failover:` asks otherwise.
    if (g.selection == OriginGroup::Selection::kCloudFront) g.failover.adaptive_connect = false;
  }
  if (std::optional<YAML::Node> od = m.take("outlier_detection")) {
    outlier_detection(*od, m.at("outlier_detection"), g.outlier_detection);
    // CloudFront selection is stateless: nothing would ever read the ejections.
    if (g.selection == OriginGroup::Selection::kCloudFront && g.outlier_detection.enabled) {
      problems_.error(m.at("outlier_detection"), "only allowed with selection: health-aware");
    }
  }
  if (std::optional<YAML::Node> fb = m.take("failover")) {
    failover_bounds(*fb, m.at("failover"), g.failover);
  }
  if (auto lb = m.choice("load_balancing", {"priority", "weighted_round_robin", "least_request",
                                            "consistent_hash", "ewma"})) {
    g.load_balancing = static_cast<OriginGroup::LoadBalancing>(*lb);
    if (g.selection == OriginGroup::Selection::kCloudFront && *lb != 0) {
      problems_.error(m.at("load_balancing"), "only allowed with selection: health-aware");
    }
  }
  g.weights.assign(g.member_origin_ids.size(), 1);
  if (std::optional<YAML::Node> weights = m.take("weights")) {
    MapReader wm(*weights, m.at("weights"), kNative, problems_);
    for (const std::string& id : wm.keys()) {
      auto member = std::find(g.member_origin_ids.begin(), g.member_origin_ids.end(), id);
      if (member == g.member_origin_ids.end()) {
        wm.take(id);
        problems_.error(wm.at(id), "not a member of this group");
      } else if (auto w = wm.integer(id, 1, 1000)) {
        g.weights[static_cast<size_t>(member - g.member_origin_ids.begin())] = static_cast<int>(*w);
      }
    }
    wm.finish();
  }
  m.finish();
  paths.group_ids.push_back(m.at("id"));
  paths.group_members.push_back(std::move(member_paths));
  d.origin_groups.push_back(std::move(g));
}

void NativeLoader::behavior(const YAML::Node& node, const FieldPath& path, bool is_default,
                            CacheBehavior& b) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (is_default) {
    if (m.take("path_pattern")) {
      problems_.error(m.at("path_pattern"), "not allowed on the default behavior");
    }
  } else if (std::optional<std::string> pattern = m.string("path_pattern", MapReader::kRequired)) {
    if (std::optional<std::string> reason = check_path_pattern(*pattern)) {
      problems_.error(m.at("path_pattern"), *reason);
    } else {
      b.path_pattern = *pattern;
    }
  }
  if (std::optional<std::string> target = m.id("target_origin_id", MapReader::kRequired)) {
    b.target_origin_id = *target;
  }
  if (auto policy =
          m.choice("viewer_protocol_policy", {"allow-all", "https-only", "redirect-to-https"})) {
    constexpr ViewerProtocolPolicy kPolicies[] = {ViewerProtocolPolicy::kAllowAll,
                                                  ViewerProtocolPolicy::kHttpsOnly,
                                                  ViewerProtocolPolicy::kRedirectToHttps};
    b.viewer_protocol_policy = kPolicies[*policy];
  }
  if (std::optional<YAML::Node> allowed = m.take("allowed_methods")) {
    Items items = list_items(*allowed, m.at("allowed_methods"), kNative, problems_);
    if (std::optional<http::MethodSet> set = read_method_list(items, problems_);
        set && allowed->IsSequence()) {
      if (!set->contains(http::Method::kGet) || !set->contains(http::Method::kHead)) {
        problems_.error(m.at("allowed_methods"), "must include GET and HEAD");
      } else {
        b.allowed_methods = *set;
      }
    }
  }
  if (std::optional<YAML::Node> cached = m.take("cached_methods")) {
    Items items = list_items(*cached, m.at("cached_methods"), kNative, problems_);
    if (std::optional<http::MethodSet> set = read_method_list(items, problems_);
        set && cached->IsSequence()) {
      if (*set != http::MethodSet::get_head() && *set != http::MethodSet::get_head_options()) {
        problems_.error(m.at("cached_methods"), "expected [GET, HEAD] or [GET, HEAD, OPTIONS]");
      } else if (!is_subset(*set, b.allowed_methods)) {
        problems_.error(m.at("cached_methods"), "must be a subset of allowed_methods");
      } else {
        b.cached_methods = *set;
      }
    }
  }
  if (std::optional<std::string> ref = m.id("response_headers_policy")) {
    b.response_headers_policy = resolve_response_headers_policy(
        *ref, response_headers_policies_, m.at("response_headers_policy"), problems_);
  }
  cache_settings(m, b);
  m.finish();
}

// cache_policy / origin_request_policy, or the legacy `forwarding` block; compress.
void NativeLoader::cache_settings(MapReader& m, CacheBehavior& b) {
  if (std::optional<bool> compress = m.boolean("compress")) b.compress = *compress;
  std::optional<std::string> cache_ref = m.id("cache_policy");
  std::optional<std::string> orp_ref = m.id("origin_request_policy");
  std::optional<YAML::Node> f = m.take("forwarding");
  if (!cache_ref) {
    if (orp_ref) problems_.error(m.at("origin_request_policy"), "requires cache_policy");
    if (f) forwarding(*f, m.at("forwarding"), b.forwarding);
    // Without a policy: CloudFront's legacy defaults; forwarding every header (the default)
    // means nothing is cached.
    b.cache_policy = legacy_cache_policy(b.forwarding, 0s, 86400s, 31536000s);
    b.cache_policy.accept_encoding_gzip = b.cache_policy.accept_encoding_brotli = b.compress;
    if (b.compress) {
      // The key holds the normalised value, so the origin must see the same one.
      b.forwarding.accept_encoding = Forwarding::AcceptEncoding::kNormalize;
      b.forwarding.accept_encoding_gzip = b.forwarding.accept_encoding_brotli = true;
    }
    guard_unkeyed_overrides(b.cache_policy, b.forwarding);
    return;
  }
  if (f) {
    problems_.error(m.at("forwarding"),
                    "not allowed with cache_policy; use origin_request_policy to send more to "
                    "the origin");
  }
  if (std::optional<CachePolicy> policy =
          resolve_cache_policy(*cache_ref, policies_, m.at("cache_policy"), problems_)) {
    b.cache_policy = std::move(*policy);
  }
  if (orp_ref) {
    if (b.cache_policy.honour_origin) {
      problems_.error(m.at("origin_request_policy"),
                      "not allowed with cache_policy: honour-origin (the whole request is sent)");
    } else if (std::optional<OriginRequestPolicy> orp = resolve_origin_request_policy(
                   *orp_ref, policies_, m.at("origin_request_policy"), problems_)) {
      b.origin_request_policy = std::move(*orp);
    }
  }
  b.forwarding = effective_forwarding(b.cache_policy, b.origin_request_policy);
}

void NativeLoader::forwarding(const YAML::Node& node, const FieldPath& path, Forwarding& f) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  if (std::optional<bool> qs = m.boolean("query_string")) f.query_string = *qs;
  if (auto cookies = m.choice("cookies", {"none", "whitelist", "all"})) {
    constexpr Forwarding::Cookies kModes[] = {
        Forwarding::Cookies::kNone, Forwarding::Cookies::kWhitelist, Forwarding::Cookies::kAll};
    f.cookies = kModes[*cookies];
  }
  if (auto headers = m.choice("headers", {"default", "whitelist", "all"})) {
    constexpr Forwarding::Headers kModes[] = {
        Forwarding::Headers::kDefault, Forwarding::Headers::kWhitelist, Forwarding::Headers::kAll};
    f.headers = kModes[*headers];
  }
  if (std::optional<YAML::Node> names = m.take("cookie_names")) {
    f.cookie_names = strings(*names, m.at("cookie_names"));
  }
  if (std::optional<YAML::Node> names = m.take("header_names")) {
    Items items = list_items(*names, m.at("header_names"), kNative, problems_);
    for (const auto& [item, item_path] : items) {
      std::optional<std::string> name = read_string(item, item_path, problems_);
      if (!name) continue;
      if (!is_header_name(*name)) {
        problems_.error(item_path, "expected an HTTP header name");
      } else {
        f.header_names.push_back(*name);
      }
    }
  }
  bool cookie_list = m.has("cookie_names") && !f.cookie_names.empty();
  if (f.cookies == Forwarding::Cookies::kWhitelist && !cookie_list) {
    problems_.error(m.at("cookie_names"), "required when cookies is whitelist");
  } else if (f.cookies != Forwarding::Cookies::kWhitelist && cookie_list) {
    problems_.error(m.at("cookie_names"), "only allowed with cookies: whitelist");
  }
  bool header_list = m.has("header_names") && !f.header_names.empty();
  if (f.headers == Forwarding::Headers::kWhitelist && !header_list) {
    problems_.error(m.at("header_names"), "required when headers is whitelist");
  } else if (f.headers != Forwarding::Headers::kWhitelist && header_list) {
    problems_.error(m.at("header_names"), "only allowed with headers: whitelist");
  } else if (header_list &&
             std::find(f.header_names.begin(), f.header_names.end(), "*") != f.header_names.end()) {
    // CloudFront's legacy "*": every header, so nothing is cached (as `headers: all`); read as
    // a header named "*" it would cache while sending every header outside the key.
    if (f.header_names.size() > 1) {
      problems_.error(m.at("header_names"), "\"*\" must be the only item");
    } else {
      f.headers = Forwarding::Headers::kAll;
      f.header_names.clear();
    }
  }
  m.finish();
}

void NativeLoader::custom_error_response(const YAML::Node& node, const FieldPath& path,
                                         Distribution& d, DistributionPaths& paths) {
  MapReader m(node, path, kNative, problems_);
  if (!m.is_map()) return;
  CustomErrorResponse r;
  if (std::optional<YAML::Node> code = m.take_required("error_code")) {
    std::optional<int64_t> value = scalar_int(*code);
    if (value && contains(kCustomErrorCodes, static_cast<int>(*value))) {
      r.error_code = static_cast<int>(*value);
    } else {
      problems_.error(m.at("error_code"), expected_one_of(kCustomErrorCodes));
    }
  }
  bool has_page = m.has("response_page_path");
  bool has_code = m.has("response_code");
  if (std::optional<std::string> page = m.string("response_page_path")) {
    if (std::optional<std::string> reason = check_response_page_path(*page)) {
      problems_.error(m.at("response_page_path"), *reason);
    } else {
      r.response_page_path = *page;
    }
  }
  if (std::optional<YAML::Node> code = m.take("response_code")) {
    std::optional<int64_t> value = scalar_int(*code);
    if (value && contains(kResponseCodes, static_cast<int>(*value))) {
      r.response_code = static_cast<int>(*value);
    } else {
      problems_.error(m.at("response_code"), expected_one_of(kResponseCodes));
    }
  }
  if (has_page && !has_code) {
    problems_.error(m.at("response_code"), "required when response_page_path is set");
  } else if (has_code && !has_page) {
    problems_.error(m.at("response_page_path"), "required when response_code is set");
  }
  if (auto ttl = m.duration("error_caching_min_ttl", 0ms, std::chrono::hours(24 * 365))) {
    r.error_caching_min_ttl = *ttl;
  }
  m.finish();
  paths.error_codes.push_back(m.at("error_code"));
  d.custom_error_responses.push_back(std::move(r));
}

std::vector<std::string> NativeLoader::strings(const YAML::Node& node, const FieldPath& path) {
  std::vector<std::string> out;
  for (const auto& [item, item_path] : list_items(node, path, kNative, problems_)) {
    if (std::optional<std::string> s = read_string(item, item_path, problems_)) {
      out.push_back(std::move(*s));
    }
  }
  return out;
}

}  // namespace

void load_native(const YAML::Node& root, const std::string& base_dir, Config& config,
                 Problems& problems) {
  NativeLoader(base_dir, problems).load(root, config);
}

}  // namespace edgefront::config::detail
