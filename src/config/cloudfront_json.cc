#include "config/cloudfront_json.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "config/distribution_checks.h"
#include "config/effective_forwarding.h"
#include "config/managed_policies.h"
#include "config/response_headers_policies.h"
#include "config/rules.h"
#include "config/yaml_reader.h"

namespace edgefront::config::detail {

namespace {

using Items = std::vector<std::pair<YAML::Node, FieldPath>>;

constexpr Dialect kCf = Dialect::kCloudFront;
constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

// A CloudFront list object, {"Quantity": n, "Items": [...]}, possibly with other keys (such as
// AllowedMethods.CachedMethods). Items win over Quantity; a mismatch is a warning.
class QuantityList {
 public:
  QuantityList(const YAML::Node& node, const FieldPath& path, Problems& problems)
      : map_(node, path, kCf, problems) {
    std::optional<int64_t> quantity = map_.integer("Quantity", 0, kMaxInt);
    if (std::optional<YAML::Node> items = map_.take("Items")) {
      items_ok_ = items->IsSequence();
      items_ = list_items(*items, map_.at("Items"), kCf, problems);
    }
    if (quantity && items_ok_ && static_cast<size_t>(*quantity) != items_.size()) {
      problems.warn(map_.at("Quantity"), "is " + std::to_string(*quantity) + " but Items has " +
                                             std::to_string(items_.size()) +
                                             " entries; using the items");
    }
  }

  MapReader& map() { return map_; }
  const Items& items() const { return items_; }
  // True if the object held no items, and no malformed Items member either.
  bool empty() const { return map_.is_map() && items_ok_ && items_.empty(); }
  FieldPath items_path() const { return map_.at("Items"); }

 private:
  MapReader map_;
  Items items_;
  bool items_ok_ = true;
};

class CloudFrontLoader {
 public:
  CloudFrontLoader(Distribution& d, Problems& problems) : d_(d), problems_(problems) {}

  void distribution_config(const YAML::Node& node, const FieldPath& path);

 private:
  void origin(const YAML::Node& node, const FieldPath& path);
  void custom_headers(const YAML::Node& node, const FieldPath& path, Origin& o);
  void custom_origin_config(const YAML::Node& node, const FieldPath& path, Origin& o,
                            bool attempts_set, bool timeout_set);
  void s3_origin_config(const YAML::Node& node, const FieldPath& path, Origin& o);
  void origin_group(const YAML::Node& node, const FieldPath& path);
  void behavior(const YAML::Node& node, const FieldPath& path, bool is_default, CacheBehavior& b);
  void allowed_methods(const YAML::Node& node, const FieldPath& path, CacheBehavior& b);
  void forwarded_values(const YAML::Node& node, const FieldPath& path, Forwarding& f,
                        std::vector<std::string>& query_cache_keys);
  void cache_settings(MapReader& m, const FieldPath& path, CacheBehavior& b);
  std::optional<Duration> legacy_ttl(MapReader& m, std::string_view key);
  void custom_error_response(const YAML::Node& node, const FieldPath& path);
  void logging(const YAML::Node& node, const FieldPath& path);
  std::vector<std::string> strings(const Items& items);

  Distribution& d_;
  Problems& problems_;
  DistributionPaths paths_;
};

void CloudFrontLoader::distribution_config(const YAML::Node& node, const FieldPath& path) {
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;
  m.ignore("CallerReference");
  m.ignore("Comment");

  if (std::optional<YAML::Node> aliases = m.take("Aliases")) {
    QuantityList list(*aliases, m.at("Aliases"), problems_);
    for (const auto& [item, item_path] : list.items()) {
      std::optional<std::string> alias = read_string(item, item_path, problems_);
      if (!alias) continue;
      std::string lower = to_lower(*alias);
      if (std::optional<std::string> reason = check_alias(lower)) {
        problems_.error(item_path, *reason);
      } else if (std::find(d_.aliases.begin(), d_.aliases.end(), lower) != d_.aliases.end()) {
        problems_.error(item_path, "duplicate alias " + in_quotes(lower));
      } else {
        d_.aliases.push_back(lower);
      }
    }
  }
  if (std::optional<std::string> root = m.string("DefaultRootObject")) {
    if (std::optional<std::string> reason = check_default_root_object(*root)) {
      problems_.error(m.at("DefaultRootObject"), *reason);
    } else {
      d_.default_root_object = *root;
    }
  }
  if (std::optional<bool> enabled = m.boolean("Enabled")) d_.enabled = *enabled;

  if (std::optional<YAML::Node> origins = m.take_required("Origins")) {
    QuantityList list(*origins, m.at("Origins"), problems_);
    if (list.empty()) {
      problems_.error(list.items_path(), "at least one origin required");
    }
    for (const auto& [item, item_path] : list.items()) origin(item, item_path);
  }
  if (std::optional<YAML::Node> groups = m.take("OriginGroups")) {
    QuantityList list(*groups, m.at("OriginGroups"), problems_);
    for (const auto& [item, item_path] : list.items()) origin_group(item, item_path);
  }
  paths_.behavior_targets.push_back(m.at("DefaultCacheBehavior").key("TargetOriginId"));
  paths_.behavior_origin_request_policies.push_back(
      m.at("DefaultCacheBehavior").key("OriginRequestPolicyId"));
  if (std::optional<YAML::Node> b = m.take_required("DefaultCacheBehavior")) {
    behavior(*b, m.at("DefaultCacheBehavior"), true, d_.default_behavior);
  }
  if (std::optional<YAML::Node> behaviors = m.take("CacheBehaviors")) {
    QuantityList list(*behaviors, m.at("CacheBehaviors"), problems_);
    for (const auto& [item, item_path] : list.items()) {
      CacheBehavior b;
      b.path_pattern.clear();
      paths_.behavior_targets.push_back(item_path.key("TargetOriginId"));
      paths_.behavior_origin_request_policies.push_back(item_path.key("OriginRequestPolicyId"));
      paths_.behavior_patterns.push_back(item_path.key("PathPattern"));
      behavior(item, item_path, false, b);
      d_.behaviors.push_back(std::move(b));
    }
  }
  if (std::optional<YAML::Node> errors = m.take("CustomErrorResponses")) {
    QuantityList list(*errors, m.at("CustomErrorResponses"), problems_);
    for (const auto& [item, item_path] : list.items()) custom_error_response(item, item_path);
  }

  if (std::optional<YAML::Node> logging = m.take("Logging")) {
    this->logging(*logging, m.at("Logging"));
  }
  m.unsupported("PriceClass", "not applicable to a self-hosted edge; ignored");
  // The certificate lives in ACM or IAM, which cannot be fetched from here: viewer TLS needs
  // certificate files on a native `server.listen[].tls`.
  m.unsupported("ViewerCertificate",
                "ACM/IAM certificates cannot be fetched; give certificate files and "
                "minimum_protocol in a native YAML server.listen[].tls; ignored");
  m.unsupported("Restrictions",
                "geo restriction is not implemented yet; viewers from every country are served");
  m.unsupported("WebACLId", "AWS WAF is not supported; requests are not filtered");
  m.unsupported("HttpVersion",
                "HTTP/2 is offered per listener (server.listen[].tls.http2, and h2c with prior "
                "knowledge); HTTP/3 is not supported; ignored");
  m.unsupported("IsIPV6Enabled",
                "not applicable: edgefront listens on the server.listen addresses; ignored");
  m.unsupported("ContinuousDeploymentPolicyId", "continuous deployment is not supported; ignored");
  m.unsupported("Staging", "continuous deployment is not supported; ignored");
  if (std::optional<YAML::Node> tags = m.take("CacheTagConfig")) {
    MapReader t(*tags, m.at("CacheTagConfig"), kCf, problems_);
    if (std::optional<std::string> name = t.string("HeaderName", MapReader::kRequired)) {
      if (!is_header_name(*name)) {
        problems_.error(t.at("HeaderName"), "expected an HTTP header name");
      } else {
        d_.cache_tag_header = *name;
      }
    }
  }
  for (std::string_view key : {"AnycastIpListId", "TenantConfig", "ConnectionMode",
                               "ViewerMtlsConfig", "ConnectionFunctionAssociation"}) {
    m.unsupported(key, "not supported yet; ignored");
  }
  m.finish();

  check_distribution(d_, paths_, problems_);
}

void CloudFrontLoader::origin(const YAML::Node& node, const FieldPath& path) {
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;
  Origin o;
  if (std::optional<std::string> id = m.id("Id", MapReader::kRequired)) o.id = *id;
  if (std::optional<std::string> domain = m.string("DomainName", MapReader::kRequired)) {
    if (is_bare_host(*domain)) {
      o.domain_name = to_lower(*domain);
    } else {
      problems_.error(m.at("DomainName"),
                      "expected a bare host name (ports come from CustomOriginConfig)");
    }
  }
  if (std::optional<std::string> origin_path = m.string("OriginPath")) {
    if (std::optional<std::string> reason = check_origin_path(*origin_path)) {
      problems_.error(m.at("OriginPath"), *reason);
    } else {
      o.origin_path = *origin_path;
    }
  }
  if (std::optional<YAML::Node> headers = m.take("CustomHeaders")) {
    custom_headers(*headers, m.at("CustomHeaders"), o);
  }
  // The API has these two at Origin level; CustomOriginConfig may hold them too (see below).
  std::optional<int64_t> attempts = m.integer("ConnectionAttempts", 1, 3);
  if (attempts) o.connection_attempts = static_cast<int>(*attempts);
  std::optional<int64_t> timeout = m.integer("ConnectionTimeout", 1, 10);
  if (timeout) o.connection_timeout = std::chrono::seconds(*timeout);
  bool attempts_set = m.has("ConnectionAttempts");
  bool timeout_set = m.has("ConnectionTimeout");

  std::optional<YAML::Node> custom = m.take("CustomOriginConfig");
  std::optional<YAML::Node> s3 = m.take("S3OriginConfig");
  if (custom && s3) {
    problems_.error(m.at("S3OriginConfig"), "not allowed together with CustomOriginConfig");
  } else if (custom) {
    custom_origin_config(*custom, m.at("CustomOriginConfig"), o, attempts_set, timeout_set);
  } else if (s3) {
    s3_origin_config(*s3, m.at("S3OriginConfig"), o);
  } else {
    problems_.error(m.at("CustomOriginConfig"), "required");
  }
  m.unsupported_always("VpcOriginConfig", "VPC origins are not supported");
  m.unsupported("OriginShield",
                "Origin Shield is not supported; requests go straight to the origin");
  m.unsupported("OriginAccessControlId",
                "origin access control is not implemented yet; origin requests are not signed");
  m.unsupported("ResponseCompletionTimeout",
                "not implemented yet; only OriginReadTimeout limits a response");
  m.finish();

  paths_.origin_ids.push_back(m.at("Id"));
  d_.origins.push_back(std::move(o));
}

void CloudFrontLoader::custom_headers(const YAML::Node& node, const FieldPath& path, Origin& o) {
  QuantityList list(node, path, problems_);
  if (list.items().size() > kMaxCustomHeaders) {
    problems_.error(list.items_path(), "at most 10 headers");
  }
  for (const auto& [item, item_path] : list.items()) {
    MapReader h(item, item_path, kCf, problems_);
    if (!h.is_map()) continue;
    std::optional<std::string> name = h.string("HeaderName", MapReader::kRequired);
    std::optional<std::string> value;
    if (std::optional<YAML::Node> v = h.take_required("HeaderValue")) {
      value = read_string(*v, h.at("HeaderValue"), problems_);
    }
    bool ok = name && value;
    if (name) {
      if (std::optional<std::string> reason = check_custom_header_name(*name)) {
        problems_.error(h.at("HeaderName"), *reason);
        ok = false;
      } else {
        for (const CustomHeader& earlier : o.custom_headers) {
          if (iequals(earlier.name, *name)) {
            problems_.error(h.at("HeaderName"), "duplicate header " + in_quotes(*name));
            ok = false;
            break;
          }
        }
      }
    }
    if (value) {
      if (std::optional<std::string> reason = check_custom_header_value(*value)) {
        problems_.error(h.at("HeaderValue"), *reason);
        ok = false;
      }
    }
    if (ok) o.custom_headers.push_back(CustomHeader{*name, *value});
  }
}

void CloudFrontLoader::custom_origin_config(const YAML::Node& node, const FieldPath& path,
                                            Origin& o, bool attempts_set, bool timeout_set) {
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;
  if (std::optional<int64_t> port = m.integer("HTTPPort", 1, 65535, MapReader::kRequired)) {
    o.http_port = static_cast<uint16_t>(*port);
  }
  if (std::optional<int64_t> port = m.integer("HTTPSPort", 1, 65535, MapReader::kRequired)) {
    o.https_port = static_cast<uint16_t>(*port);
  }
  if (std::optional<size_t> policy =
          m.choice("OriginProtocolPolicy", {"http-only", "https-only", "match-viewer"},
                   MapReader::kRequired)) {
    constexpr OriginProtocolPolicy kPolicies[] = {OriginProtocolPolicy::kHttpOnly,
                                                  OriginProtocolPolicy::kHttpsOnly,
                                                  OriginProtocolPolicy::kMatchViewer};
    o.protocol_policy = kPolicies[*policy];
  }
  if (std::optional<YAML::Node> protocols = m.take("OriginSslProtocols")) {
    QuantityList list(*protocols, m.at("OriginSslProtocols"), problems_);
    for (const auto& [item, item_path] : list.items()) {
      constexpr std::string_view kNames[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"};
      std::optional<size_t> i =
          read_choice(item, item_path, problems_, {kNames[0], kNames[1], kNames[2], kNames[3]});
      if (i) o.ssl_protocols.emplace_back(kNames[*i]);
    }
  }
  if (std::optional<int64_t> t = m.integer("OriginReadTimeout", 1, 120)) {
    o.read_timeout = std::chrono::seconds(*t);
  }
  if (std::optional<int64_t> t = m.integer("OriginKeepaliveTimeout", 1, 120)) {
    o.keepalive_timeout = std::chrono::seconds(*t);
  }
  // Accepted here too, as some hand-written configs put them here; the Origin level wins.
  if (attempts_set) {
    m.unsupported_always("ConnectionAttempts", "ignored: also given at the Origin level");
  } else if (std::optional<int64_t> n = m.integer("ConnectionAttempts", 1, 3)) {
    o.connection_attempts = static_cast<int>(*n);
  }
  if (timeout_set) {
    m.unsupported_always("ConnectionTimeout", "ignored: also given at the Origin level");
  } else if (std::optional<int64_t> t = m.integer("ConnectionTimeout", 1, 10)) {
    o.connection_timeout = std::chrono::seconds(*t);
  }
  m.unsupported("IpAddressType",
                "not supported yet; the origin is reached at whatever DomainName resolves to");
  m.unsupported("OriginMtlsConfig", "mutual TLS to origins is not supported yet; ignored");
  m.finish();
}

void CloudFrontLoader::s3_origin_config(const YAML::Node& node, const FieldPath& path, Origin& o) {
  problems_.warn(path,
                 "S3 origins are not supported yet; treated as a custom origin, https-only on "
                 "port 443");
  o.protocol_policy = OriginProtocolPolicy::kHttpsOnly;
  o.https_port = 443;
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;
  m.ignore("OriginAccessIdentity");
  if (std::optional<int64_t> t = m.integer("OriginReadTimeout", 1, 120)) {
    o.read_timeout = std::chrono::seconds(*t);
  }
  m.finish();
}

void CloudFrontLoader::origin_group(const YAML::Node& node, const FieldPath& path) {
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;
  OriginGroup g;
  std::vector<FieldPath> member_paths;
  if (std::optional<std::string> id = m.id("Id", MapReader::kRequired)) g.id = *id;

  if (std::optional<YAML::Node> criteria = m.take_required("FailoverCriteria")) {
    MapReader c(*criteria, m.at("FailoverCriteria"), kCf, problems_);
    if (std::optional<YAML::Node> codes = c.take_required("StatusCodes")) {
      QuantityList list(*codes, c.at("StatusCodes"), problems_);
      if (list.empty()) {
        problems_.error(list.items_path(), "at least one status code required");
      }
      for (const auto& [item, item_path] : list.items()) {
        std::optional<int64_t> code = read_int(item, item_path, problems_, 400, 599);
        if (!code) continue;
        int status = static_cast<int>(*code);
        if (contains(g.failover_status_codes, status)) {
          problems_.error(item_path, "duplicate status code " + std::to_string(status));
          continue;
        }
        if (!contains(kConsoleFailoverCodes, status)) {
          problems_.warn(item_path, std::to_string(status) +
                                        " is not one of CloudFront's failover codes "
                                        "(400|403|404|416|500|502|503|504); accepted");
        }
        g.failover_status_codes.push_back(status);
      }
    }
  }

  if (std::optional<YAML::Node> members = m.take_required("Members")) {
    QuantityList list(*members, m.at("Members"), problems_);
    for (const auto& [item, item_path] : list.items()) {
      MapReader member(item, item_path, kCf, problems_);
      if (!member.is_map()) continue;
      std::optional<std::string> id = member.id("OriginId", MapReader::kRequired);
      g.member_origin_ids.push_back(id.value_or(""));
      member_paths.push_back(member.at("OriginId"));
    }
    if (list.map().is_map()) {
      if (list.items().size() < 2) {
        problems_.error(list.items_path(), "at least 2 members required");
      } else if (list.items().size() > 2) {
        problems_.warn(list.items_path(),
                       "CloudFront allows exactly 2 members; edgefront tries all " +
                           std::to_string(list.items().size()) + " in order");
      }
    }
  }

  if (std::optional<std::string> selection = m.string("SelectionCriteria")) {
    if (*selection != "default" && !selection->empty()) {
      problems_.warn(m.at("SelectionCriteria"),
                     "only \"default\" selection is supported; using default");
    }
  }
  m.finish();

  paths_.group_ids.push_back(m.at("Id"));
  paths_.group_members.push_back(std::move(member_paths));
  d_.origin_groups.push_back(std::move(g));
}

void CloudFrontLoader::behavior(const YAML::Node& node, const FieldPath& path, bool is_default,
                                CacheBehavior& b) {
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;

  if (is_default) {
    if (m.take("PathPattern")) {
      problems_.error(m.at("PathPattern"), "not allowed in DefaultCacheBehavior");
    }
  } else if (std::optional<std::string> pattern = m.string("PathPattern", MapReader::kRequired)) {
    if (std::optional<std::string> reason = check_path_pattern(*pattern)) {
      problems_.error(m.at("PathPattern"), *reason);
    } else {
      b.path_pattern = *pattern;
    }
  }
  if (std::optional<std::string> target = m.id("TargetOriginId", MapReader::kRequired)) {
    b.target_origin_id = *target;
  }
  if (std::optional<size_t> policy =
          m.choice("ViewerProtocolPolicy", {"allow-all", "https-only", "redirect-to-https"},
                   MapReader::kRequired)) {
    constexpr ViewerProtocolPolicy kPolicies[] = {ViewerProtocolPolicy::kAllowAll,
                                                  ViewerProtocolPolicy::kHttpsOnly,
                                                  ViewerProtocolPolicy::kRedirectToHttps};
    b.viewer_protocol_policy = kPolicies[*policy];
  }
  if (std::optional<YAML::Node> methods = m.take("AllowedMethods")) {
    allowed_methods(*methods, m.at("AllowedMethods"), b);
  }

  cache_settings(m, path, b);
  if (std::optional<std::string> id = m.id("ResponseHeadersPolicyId"); id && !id->empty()) {
    if (const ResponseHeadersPolicy* policy = find_managed_response_headers_policy(*id)) {
      b.response_headers_policy = *policy;
    } else {
      problems_.error(m.at("ResponseHeadersPolicyId"),
                      "unknown managed response headers policy id " + in_quotes(*id) +
                          "; custom response headers policies must be defined in native YAML "
                          "(response_headers_policies)");
    }
  }
  constexpr std::string_view kUnsigned =
      "signed URLs and cookies are not implemented yet; content is served WITHOUT signature "
      "checks";
  m.unsupported("TrustedSigners", kUnsigned);
  m.unsupported("TrustedKeyGroups", kUnsigned);
  m.unsupported("FunctionAssociations", "edge functions are not implemented yet; not run");
  m.unsupported("LambdaFunctionAssociations", "edge functions are not implemented yet; not run");
  m.unsupported("SmoothStreaming", "Smooth Streaming is not supported; ignored");
  m.unsupported("FieldLevelEncryptionId", "field-level encryption is not supported; ignored");
  m.unsupported("RealtimeLogConfigArn", "real-time logs are not supported; ignored");
  m.unsupported("GrpcConfig", "gRPC is not supported yet; ignored");
  m.finish();

  // A write method on a group target: CloudFront's API refuses it, edgefront accepts it.
  if (has_write_method(b.allowed_methods) && d_.find_group(b.target_origin_id) != nullptr) {
    problems_.warn(path.key("AllowedMethods"),
                   "POST, PUT, PATCH or DELETE on a behavior whose target is origin group " +
                       in_quotes(b.target_origin_id) +
                       ": CloudFront's API rejects this; edgefront accepts it and never fails "
                       "those methods over");
  }
}

void CloudFrontLoader::allowed_methods(const YAML::Node& node, const FieldPath& path,
                                       CacheBehavior& b) {
  QuantityList list(node, path, problems_);
  if (!list.map().is_map()) return;
  if (!list.map().has("Items")) {
    problems_.error(list.items_path(), "required");
  } else if (std::optional<http::MethodSet> set = read_method_list(list.items(), problems_)) {
    if (*set == http::MethodSet::get_head() || *set == http::MethodSet::get_head_options() ||
        *set == http::MethodSet::all_seven()) {
      b.allowed_methods = *set;
    } else {
      problems_.error(list.items_path(),
                      "expected GET,HEAD or GET,HEAD,OPTIONS or "
                      "GET,HEAD,OPTIONS,PUT,POST,PATCH,DELETE");
    }
  }
  if (std::optional<YAML::Node> cached = list.map().take("CachedMethods")) {
    QuantityList cached_list(*cached, list.map().at("CachedMethods"), problems_);
    if (!cached_list.map().is_map()) return;
    if (!cached_list.map().has("Items")) {
      problems_.error(cached_list.items_path(), "required");
    } else if (std::optional<http::MethodSet> set =
                   read_method_list(cached_list.items(), problems_)) {
      if (*set != http::MethodSet::get_head() && *set != http::MethodSet::get_head_options()) {
        problems_.error(cached_list.items_path(), "expected GET,HEAD or GET,HEAD,OPTIONS");
      } else if (!is_subset(*set, b.allowed_methods)) {
        problems_.error(cached_list.items_path(), "must be a subset of AllowedMethods");
      } else {
        b.cached_methods = *set;
      }
    }
  }
}

// CachePolicyId / OriginRequestPolicyId (managed policies only), or the legacy
// ForwardedValues with MinTTL / DefaultTTL / MaxTTL (cloudfront-spec.md 3.1, 3.5, 3.8, 3.15).
void CloudFrontLoader::cache_settings(MapReader& m, const FieldPath& path, CacheBehavior& b) {
  if (std::optional<bool> compress = m.boolean("Compress")) b.compress = *compress;
  std::optional<std::string> cache_id = m.id("CachePolicyId");
  if (cache_id && cache_id->empty()) cache_id.reset();
  std::optional<std::string> orp_id = m.id("OriginRequestPolicyId");
  if (orp_id && orp_id->empty()) orp_id.reset();

  if (cache_id) {
    const CachePolicy* policy = find_managed_cache_policy(*cache_id);
    if (policy == nullptr) {
      problems_.error(m.at("CachePolicyId"),
                      "unknown managed cache policy id " + in_quotes(*cache_id) +
                          "; custom cache policies must be defined in native YAML "
                          "(cache_policies)");
    } else {
      b.cache_policy = *policy;
    }
    if (m.take("ForwardedValues")) {
      problems_.error(m.at("ForwardedValues"), "not allowed together with CachePolicyId");
    }
    for (std::string_view ttl : {"MinTTL", "DefaultTTL", "MaxTTL"}) {
      std::optional<YAML::Node> value = m.take(ttl);
      if (value && present(*value)) {
        problems_.error(m.at(ttl),
                        "not allowed together with CachePolicyId (the policy has "
                        "its own TTLs)");
      }
    }
    if (orp_id) {
      if (const OriginRequestPolicy* orp = find_managed_origin_request_policy(*orp_id)) {
        b.origin_request_policy = *orp;
      } else {
        problems_.error(m.at("OriginRequestPolicyId"),
                        "unknown managed origin request policy id " + in_quotes(*orp_id) +
                            "; custom origin request policies must be defined in native YAML "
                            "(origin_request_policies)");
      }
    }
    b.forwarding = effective_forwarding(b.cache_policy, b.origin_request_policy);
    return;
  }

  if (orp_id) {
    problems_.error(m.at("OriginRequestPolicyId"), "requires CachePolicyId on the same behavior");
  }
  bool forwarded = false;
  std::vector<std::string> query_cache_keys;
  if (std::optional<YAML::Node> values = m.take("ForwardedValues")) {
    forwarded = true;
    forwarded_values(*values, m.at("ForwardedValues"), b.forwarding, query_cache_keys);
  }
  // Spec 3.5 defaults: DefaultTTL follows a MinTTL above a day; MaxTTL follows a larger
  // MinTTL or DefaultTTL.
  constexpr Duration kDay = std::chrono::seconds(86400);
  constexpr Duration kYear = std::chrono::seconds(31536000);
  std::optional<Duration> min_ttl = legacy_ttl(m, "MinTTL");
  std::optional<Duration> default_ttl = legacy_ttl(m, "DefaultTTL");
  std::optional<Duration> max_ttl = legacy_ttl(m, "MaxTTL");
  Duration min = min_ttl.value_or(Duration::zero());
  Duration def = default_ttl.value_or(std::max(kDay, min));
  Duration max = max_ttl.value_or(min > kYear || def > kYear ? std::max(min, def) : kYear);
  if (def < min) {
    problems_.error(m.at("DefaultTTL"), "must be at least MinTTL");
  } else if (max < def) {  // only when MaxTTL is given: its default follows DefaultTTL
    problems_.error(m.at("MaxTTL"), "must be at least DefaultTTL and MinTTL");
  }
  if (!forwarded) {
    problems_.warn(path,
                   "neither ForwardedValues nor CachePolicyId is set (CloudFront's API requires "
                   "one); all query strings, cookies and headers are forwarded to the origin and "
                   "nothing is cached");
  }
  b.cache_policy = legacy_cache_policy(b.forwarding, min, def, max);
  if (!query_cache_keys.empty()) {
    b.cache_policy.query_strings = {KeyValues::Behavior::kWhitelist, std::move(query_cache_keys)};
  }
  // Legacy settings key compressed variants whenever the behavior compresses.
  b.cache_policy.accept_encoding_gzip = b.cache_policy.accept_encoding_brotli = b.compress;
  if (b.compress) {
    // The key holds the normalised value, so the origin must see the same one.
    b.forwarding.accept_encoding = Forwarding::AcceptEncoding::kNormalize;
    b.forwarding.accept_encoding_gzip = b.forwarding.accept_encoding_brotli = true;
  }
  guard_unkeyed_overrides(b.cache_policy, b.forwarding);
}

// Legacy TTLs: whole seconds, 0 to 3,153,600,000 (spec 3.5).
std::optional<Duration> CloudFrontLoader::legacy_ttl(MapReader& m, std::string_view key) {
  std::optional<int64_t> seconds = m.integer(key, 0, 3'153'600'000);
  if (!seconds) return std::nullopt;
  return std::chrono::seconds(*seconds);
}

void CloudFrontLoader::forwarded_values(const YAML::Node& node, const FieldPath& path,
                                        Forwarding& f, std::vector<std::string>& query_cache_keys) {
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;
  if (std::optional<bool> qs = m.boolean("QueryString", MapReader::kRequired)) {
    f.query_string = *qs;
  }
  if (std::optional<YAML::Node> cookies = m.take_required("Cookies")) {
    MapReader c(*cookies, m.at("Cookies"), kCf, problems_);
    std::optional<size_t> forward =
        c.choice("Forward", {"none", "whitelist", "all"}, MapReader::kRequired);
    if (forward) {
      constexpr Forwarding::Cookies kModes[] = {
          Forwarding::Cookies::kNone, Forwarding::Cookies::kWhitelist, Forwarding::Cookies::kAll};
      f.cookies = kModes[*forward];
    }
    std::optional<YAML::Node> names = c.take("WhitelistedNames");
    if (forward == 1) {
      if (names) {
        QuantityList list(*names, c.at("WhitelistedNames"), problems_);
        f.cookie_names = strings(list.items());
      }
      if (f.cookie_names.empty()) {
        problems_.error(c.at("WhitelistedNames"), "required when Forward is whitelist");
      }
    } else if (names && !inert(*names)) {
      problems_.warn(c.at("WhitelistedNames"), "ignored unless Forward is whitelist");
    }
  }
  if (std::optional<YAML::Node> headers = m.take("Headers")) {
    QuantityList list(*headers, m.at("Headers"), problems_);
    std::vector<std::string> names = strings(list.items());
    bool star = std::find(names.begin(), names.end(), "*") != names.end();
    if (star && names.size() > 1) {
      problems_.error(list.items_path(), "\"*\" must be the only item");
    } else if (star) {
      f.headers = Forwarding::Headers::kAll;
    } else if (!names.empty()) {
      bool ok = true;
      for (size_t i = 0; i < names.size(); ++i) {
        if (!is_header_name(names[i])) {
          problems_.error(list.items()[i].second, "expected an HTTP header name");
          ok = false;
        }
      }
      if (ok) {
        f.headers = Forwarding::Headers::kWhitelist;
        f.header_names = std::move(names);
      }
    } else {
      f.headers = Forwarding::Headers::kDefault;
    }
  } else {
    f.headers = Forwarding::Headers::kDefault;
  }
  if (std::optional<YAML::Node> keys = m.take("QueryStringCacheKeys")) {
    QuantityList list(*keys, m.at("QueryStringCacheKeys"), problems_);
    std::vector<std::string> names = strings(list.items());
    if (!names.empty() && !f.query_string) {
      problems_.warn(m.at("QueryStringCacheKeys"), "ignored unless QueryString is true");
    } else {
      query_cache_keys = std::move(names);  // all are forwarded; only these are keyed
    }
  }
  m.finish();
}

// Logging: Enabled and IncludeCookies as CloudFront means them; the log goes to the file named
// by server.access_log (or --access-log), not to an S3 bucket.
void CloudFrontLoader::logging(const YAML::Node& node, const FieldPath& path) {
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;
  if (std::optional<bool> enabled = m.boolean("Enabled")) d_.logging.enabled = *enabled;
  if (std::optional<bool> cookies = m.boolean("IncludeCookies")) {
    d_.logging.include_cookies = *cookies;
  }
  m.unsupported("Bucket",
                "logs are written to the file named by server.access_log or --access-log; ignored");
  m.ignore("Prefix");
  m.finish();
}

void CloudFrontLoader::custom_error_response(const YAML::Node& node, const FieldPath& path) {
  MapReader m(node, path, kCf, problems_);
  if (!m.is_map()) return;
  CustomErrorResponse r;
  if (std::optional<YAML::Node> code = m.take_required("ErrorCode")) {
    std::optional<int64_t> value = scalar_int(*code);
    if (value && contains(kCustomErrorCodes, static_cast<int>(*value))) {
      r.error_code = static_cast<int>(*value);
    } else {
      problems_.error(m.at("ErrorCode"), expected_one_of(kCustomErrorCodes));
    }
  }
  bool has_page = false;
  if (std::optional<std::string> page = m.string("ResponsePagePath"); page && !page->empty()) {
    has_page = true;
    if (std::optional<std::string> reason = check_response_page_path(*page)) {
      problems_.error(m.at("ResponsePagePath"), *reason);
    } else {
      r.response_page_path = *page;
    }
  }
  // A string in the API ("200"); an integer is accepted too. "" means none.
  bool has_code = false;
  if (std::optional<YAML::Node> code = m.take("ResponseCode")) {
    if (!code->IsScalar() || !code->Scalar().empty()) {
      has_code = true;
      std::optional<int64_t> value = scalar_int(*code);
      if (value && contains(kResponseCodes, static_cast<int>(*value))) {
        r.response_code = static_cast<int>(*value);
      } else {
        problems_.error(m.at("ResponseCode"), expected_one_of(kResponseCodes));
      }
    }
  }
  if (has_page && !has_code) {
    problems_.error(m.at("ResponseCode"), "required when ResponsePagePath is set");
  } else if (has_code && !has_page) {
    problems_.error(m.at("ResponsePagePath"), "required when ResponseCode is set");
  }
  if (std::optional<int64_t> ttl = m.integer("ErrorCachingMinTTL", 0, 31536000)) {
    r.error_caching_min_ttl = std::chrono::seconds(*ttl);
  }
  m.finish();
  paths_.error_codes.push_back(m.at("ErrorCode"));
  d_.custom_error_responses.push_back(std::move(r));
}

std::vector<std::string> CloudFrontLoader::strings(const Items& items) {
  std::vector<std::string> out;
  for (const auto& [item, item_path] : items) {
    if (std::optional<std::string> s = read_string(item, item_path, problems_)) {
      out.push_back(std::move(*s));
    }
  }
  return out;
}

}  // namespace

bool is_cloudfront(const YAML::Node& root) {
  if (!root.IsMap()) return false;
  return root["DistributionConfig"].IsDefined() || root["Origins"].IsDefined() ||
         root["DefaultCacheBehavior"].IsDefined();
}

void load_cloudfront(const YAML::Node& root, Config& config, Problems& problems) {
  const FieldPath path("DistributionConfig");
  Distribution d;
  d.id = "default";
  CloudFrontLoader loader(d, problems);
  if (root["DistributionConfig"].IsDefined()) {
    // get-distribution-config output: {"ETag": "...", "DistributionConfig": {...}}.
    MapReader wrapper(root, FieldPath(), kCf, problems);
    wrapper.ignore("ETag");
    std::optional<YAML::Node> inner = wrapper.take("DistributionConfig");
    if (inner) {
      loader.distribution_config(*inner, path);
    } else {
      problems.error(path, "expected object");
    }
    wrapper.finish();
  } else {
    loader.distribution_config(root, path);
  }
  config.distributions.push_back(std::move(d));
}

}  // namespace edgefront::config::detail
