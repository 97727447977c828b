#include "config/response_headers_policies.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "config/rules.h"
#include "config/yaml_reader.h"

namespace edgefront::config {

const ResponseHeadersPolicy* find_managed_response_headers_policy(std::string_view name_or_id);

namespace detail {
namespace {

using Header = ResponseHeadersPolicy::Header;
using Cors = ResponseHeadersPolicy::Cors;

const std::vector<std::string> kAllMethods = {"GET",    "POST",  "OPTIONS", "PUT",
                                              "DELETE", "PATCH", "HEAD"};

// CloudFront's security set: nosniff always; the others only where the origin sent none.
std::vector<Header> managed_security_headers() {
  return {
      {"Strict-Transport-Security", "max-age=31536000", false},
      {"X-Content-Type-Options", "nosniff", true},
      {"X-Frame-Options", "SAMEORIGIN", false},
      {"Referrer-Policy", "strict-origin-when-cross-origin", false},
      {"X-XSS-Protection", "1; mode=block", false},
  };
}

Cors simple_cors() {
  Cors c;
  c.allow_origins = {"*"};
  return c;
}

Cors preflight_cors() {
  Cors c;
  c.allow_origins = {"*"};
  c.allow_headers = {"*"};
  c.allow_methods = kAllMethods;
  c.expose_headers = {"*"};
  return c;
}

std::vector<ResponseHeadersPolicy> build_managed() {
  auto make = [](std::string name, std::string id, std::optional<Cors> cors, bool security) {
    ResponseHeadersPolicy p;
    p.name = std::move(name);
    p.id = std::move(id);
    p.cors = std::move(cors);
    if (security) p.security = managed_security_headers();
    return p;
  };
  return {
      make("SimpleCORS", "60669652-455b-4ae9-85a4-c4c02393f86c", simple_cors(), false),
      make("CORS-With-Preflight", "5cc3b908-e619-4b99-88e5-2cf7f45965bd", preflight_cors(), false),
      make("SecurityHeadersPolicy", "67f7725c-6f97-4210-82d7-5512b31e9d03", std::nullopt, true),
      make("CORS-and-SecurityHeadersPolicy", "e61eb60c-9c35-4d20-a928-2b84e02af89c", simple_cors(),
           true),
      make("CORS-with-preflight-and-SecurityHeadersPolicy", "eaab4381-ed33-4a86-88ca-d9558dc6cd63",
           preflight_cors(), true),
  };
}

const std::vector<ResponseHeadersPolicy>& managed_table() {
  static const std::vector<ResponseHeadersPolicy> table = build_managed();
  return table;
}

// Fields a policy may not remove or set (spec 3.16): framing, hop-by-hop and the edge's own.
bool protected_header(std::string_view name) {
  constexpr std::string_view kExact[] = {"Connection",
                                         "Content-Encoding",
                                         "Content-Length",
                                         "Expect",
                                         "Host",
                                         "Keep-Alive",
                                         "Proxy-Authenticate",
                                         "Proxy-Authorization",
                                         "Proxy-Connection",
                                         "Trailer",
                                         "Transfer-Encoding",
                                         "Upgrade",
                                         "Via",
                                         "Warning",
                                         "X-Accel-Buffering",
                                         "X-Accel-Charset",
                                         "X-Accel-Limit-Rate",
                                         "X-Accel-Redirect",
                                         "X-Amzn-Auth",
                                         "X-Amzn-Cf-Billing",
                                         "X-Amzn-Cf-Id",
                                         "X-Amzn-Cf-Xff",
                                         "X-Amzn-ErrorType",
                                         "X-Amzn-Fle-Profile",
                                         "X-Amzn-Header-Count",
                                         "X-Amzn-Header-Order",
                                         "X-Amzn-Lambda-Integration-Tag",
                                         "X-Amzn-RequestId",
                                         "X-Cache",
                                         "X-Forwarded-Proto",
                                         "X-Real-Ip",
                                         "Cache-Status"};
  for (std::string_view p : kExact) {
    if (iequals(name, p)) return true;
  }
  auto starts = [&](std::string_view prefix) {
    return name.size() >= prefix.size() && iequals(name.substr(0, prefix.size()), prefix);
  };
  return starts("X-Amz-Cf-") || starts("X-Edge-") || starts("X-Edgefront-");
}

std::vector<std::string> read_list(MapReader& m, std::string_view key) {
  std::vector<std::string> out;
  std::optional<YAML::Node> node = m.take(key);
  if (!node) return out;
  for (const auto& [item, item_path] : list_items(*node, m.at(key), m.dialect(), m.problems())) {
    if (std::optional<std::string> s = read_string(item, item_path, m.problems())) {
      if (s->empty()) {
        m.problems().error(item_path, "must not be empty");
      } else {
        out.push_back(std::move(*s));
      }
    }
  }
  return out;
}

// Origins: exact, "*", or one leading "*." label wildcard (spec 3.16).
std::optional<std::string> check_cors_origin(std::string_view origin) {
  if (origin == "*") return std::nullopt;
  std::string_view rest = origin;
  if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  if (rest.size() > 2 && rest.substr(0, 2) == "*.") rest.remove_prefix(2);
  if (rest.find('*') != std::string_view::npos) {
    return "a wildcard is allowed only as the whole value or a leading \"*.\"";
  }
  if (rest.find_first_of(" \t\r\n,") != std::string_view::npos) return "not an origin";
  return std::nullopt;
}

void read_cors(const YAML::Node& node, const FieldPath& path, Problems& problems,
               ResponseHeadersPolicy& p) {
  MapReader m(node, path, Dialect::kNative, problems);
  if (!m.is_map()) return;
  Cors c;
  c.allow_origins = read_list(m, "allow_origins");
  if (c.allow_origins.empty()) problems.error(path.key("allow_origins"), "required");
  for (std::string& origin : c.allow_origins) {
    origin = to_lower(origin);
    if (auto why = check_cors_origin(origin)) problems.error(path.key("allow_origins"), *why);
  }
  c.allow_headers = read_list(m, "allow_headers");
  for (const std::string& h : c.allow_headers) {
    if (h != "*" && !is_header_name(h)) {
      problems.error(path.key("allow_headers"), "expected header names or *, not " + h);
    }
  }
  for (std::string& method : read_list(m, "allow_methods")) {
    if (method == "ALL") {
      c.allow_methods = kAllMethods;
    } else if (std::find(kAllMethods.begin(), kAllMethods.end(), method) == kAllMethods.end()) {
      problems.error(path.key("allow_methods"),
                     "expected GET|POST|OPTIONS|PUT|DELETE|PATCH|HEAD|ALL, not " + method);
    } else if (std::find(c.allow_methods.begin(), c.allow_methods.end(), method) ==
               c.allow_methods.end()) {
      c.allow_methods.push_back(std::move(method));
    }
  }
  if (auto b = m.boolean("allow_credentials")) c.allow_credentials = *b;
  c.expose_headers = read_list(m, "expose_headers");
  if (auto age = m.integer("max_age", 0, 31536000)) c.max_age_seconds = *age;
  if (auto b = m.boolean("origin_override")) c.origin_override = *b;
  if (c.allow_credentials &&
      std::find(c.allow_origins.begin(), c.allow_origins.end(), "*") != c.allow_origins.end()) {
    problems.error(path.key("allow_credentials"),
                   "cannot be true when allow_origins contains * (browsers refuse it)");
  }
  p.cors = std::move(c);
}

// Each security header is {override, ...its own settings}.
void read_security(const YAML::Node& node, const FieldPath& path, Problems& problems,
                   ResponseHeadersPolicy& p) {
  MapReader m(node, path, Dialect::kNative, problems);
  if (!m.is_map()) return;
  auto section = [&](std::string_view key, auto&& render) {
    std::optional<YAML::Node> n = m.take(key);
    if (!n) return;
    MapReader s(*n, m.at(key), Dialect::kNative, problems);
    if (!s.is_map()) return;
    bool override = s.boolean("override").value_or(false);
    if (std::optional<Header> h = render(s)) {
      h->override = override;
      p.security.push_back(std::move(*h));
    }
  };
  section("strict_transport_security", [](MapReader& s) -> std::optional<Header> {
    std::optional<int64_t> age = s.integer("max_age", 0, 63072000 * 10, MapReader::kRequired);
    bool subdomains = s.boolean("include_subdomains").value_or(false);
    bool preload = s.boolean("preload").value_or(false);
    if (!age) return std::nullopt;
    std::string v = fmt::format("max-age={}", *age);
    if (subdomains) v += "; includeSubDomains";
    if (preload) v += "; preload";
    return Header{"Strict-Transport-Security", v, false};
  });
  section("content_type_options", [](MapReader&) -> std::optional<Header> {
    return Header{"X-Content-Type-Options", "nosniff", false};
  });
  section("frame_options", [](MapReader& s) -> std::optional<Header> {
    std::optional<size_t> v = s.choice("value", {"DENY", "SAMEORIGIN"}, MapReader::kRequired);
    if (!v) return std::nullopt;
    return Header{"X-Frame-Options", *v == 0 ? "DENY" : "SAMEORIGIN", false};
  });
  section("referrer_policy", [](MapReader& s) -> std::optional<Header> {
    static constexpr std::string_view kPolicies[] = {"no-referrer",
                                                     "no-referrer-when-downgrade",
                                                     "origin",
                                                     "origin-when-cross-origin",
                                                     "same-origin",
                                                     "strict-origin",
                                                     "strict-origin-when-cross-origin",
                                                     "unsafe-url"};
    std::optional<size_t> v = s.choice("value",
                                       {kPolicies[0], kPolicies[1], kPolicies[2], kPolicies[3],
                                        kPolicies[4], kPolicies[5], kPolicies[6], kPolicies[7]},
                                       MapReader::kRequired);
    if (!v) return std::nullopt;
    return Header{"Referrer-Policy", std::string(kPolicies[*v]), false};
  });
  section("xss_protection", [](MapReader& s) -> std::optional<Header> {
    bool protection = s.boolean("protection", MapReader::kRequired).value_or(false);
    bool mode_block = s.boolean("mode_block").value_or(false);
    std::optional<std::string> report = s.string("report_uri");
    if (!protection) {
      if (mode_block || report) {
        s.problems().error(s.path(), "mode_block and report_uri need protection: true");
      }
      return Header{"X-XSS-Protection", "0", false};
    }
    if (mode_block && report) {
      s.problems().error(s.path(), "mode_block and report_uri are exclusive");
      return std::nullopt;
    }
    std::string v = "1";
    if (mode_block) v += "; mode=block";
    if (report) v += "; report=" + *report;
    return Header{"X-XSS-Protection", v, false};
  });
  section("content_security_policy", [](MapReader& s) -> std::optional<Header> {
    std::optional<std::string> v = s.string("value", MapReader::kRequired);
    if (!v) return std::nullopt;
    if (auto why = check_custom_header_value(*v)) {
      s.problems().error(s.at("value"), *why);
      return std::nullopt;
    }
    return Header{"Content-Security-Policy", *v, false};
  });
}

void read_custom_headers(const YAML::Node& node, const FieldPath& path, Problems& problems,
                         ResponseHeadersPolicy& p) {
  for (const auto& [item, item_path] : list_items(node, path, Dialect::kNative, problems)) {
    MapReader m(item, item_path, Dialect::kNative, problems);
    if (!m.is_map()) continue;
    std::optional<std::string> name = m.string("name", MapReader::kRequired);
    std::optional<std::string> value = m.string("value", MapReader::kRequired);
    bool override = m.boolean("override").value_or(false);
    if (!name || !value) continue;
    if (!is_header_name(*name)) {
      problems.error(m.at("name"), "expected an HTTP header name");
    } else if (protected_header(*name)) {
      problems.error(m.at("name"), *name + " cannot be set by a response headers policy");
    } else if (auto why = check_custom_header_value(*value)) {
      problems.error(m.at("value"), *why);
    } else if (p.custom.size() >= 10) {
      problems.error(item_path, "at most 10 custom headers");
    } else {
      p.custom.push_back(Header{*name, *value, override});
    }
  }
}

void response_headers_policy(const YAML::Node& node, const FieldPath& path, Problems& problems,
                             std::vector<ResponseHeadersPolicy>& out) {
  MapReader m(node, path, Dialect::kNative, problems);
  if (!m.is_map()) return;
  ResponseHeadersPolicy p;
  if (std::optional<std::string> name = m.id("name", MapReader::kRequired)) {
    bool taken = find_managed_response_headers_policy(*name) != nullptr ||
                 std::any_of(out.begin(), out.end(), [&](const ResponseHeadersPolicy& e) {
                   return e.name == *name || e.id == *name;
                 });
    if (taken) {
      problems.error(m.at("name"), "duplicate name " + in_quotes(*name));
    } else {
      p.name = p.id = *name;
    }
  }
  if (std::optional<YAML::Node> c = m.take("cors")) read_cors(*c, m.at("cors"), problems, p);
  if (std::optional<YAML::Node> s = m.take("security_headers")) {
    read_security(*s, m.at("security_headers"), problems, p);
  }
  if (std::optional<YAML::Node> c = m.take("custom_headers")) {
    read_custom_headers(*c, m.at("custom_headers"), problems, p);
  }
  for (std::string& name : read_list(m, "remove_headers")) {
    if (!is_header_name(name)) {
      problems.error(m.at("remove_headers"), "expected an HTTP header name, not " + name);
    } else if (protected_header(name)) {
      problems.error(m.at("remove_headers"),
                     name + " cannot be removed by a response headers policy");
    } else {
      p.remove.push_back(std::move(name));
    }
  }
  if (std::optional<YAML::Node> t = m.take("server_timing")) {
    MapReader s(*t, m.at("server_timing"), Dialect::kNative, problems);
    if (s.is_map()) {
      p.server_timing = s.boolean("enabled", MapReader::kRequired).value_or(false);
      if (std::optional<YAML::Node> rate = s.take("sampling_rate")) {
        double value = -1;
        if (rate->IsScalar()) value = rate->as<double>(-1);
        if (value < 0 || value > 100) {
          problems.error(s.at("sampling_rate"), "expected a number 0-100 (percent)");
        } else {
          p.server_timing_sampling_percent = value;
        }
      }
    }
  }
  m.ignore("comment");
  m.finish();
  out.push_back(std::move(p));
}

}  // namespace

void load_response_headers_policies(const YAML::Node& node, const FieldPath& path,
                                    Problems& problems, std::vector<ResponseHeadersPolicy>& out) {
  for (const auto& [item, item_path] : list_items(node, path, Dialect::kNative, problems)) {
    response_headers_policy(item, item_path, problems, out);
  }
}

std::optional<ResponseHeadersPolicy> resolve_response_headers_policy(
    std::string_view ref, const std::vector<ResponseHeadersPolicy>& policies, const FieldPath& path,
    Problems& problems) {
  if (const ResponseHeadersPolicy* managed = find_managed_response_headers_policy(ref)) {
    return *managed;
  }
  for (const ResponseHeadersPolicy& p : policies) {
    if (p.name == ref || p.id == ref) return p;
  }
  problems.error(path, "unknown response headers policy " + in_quotes(ref) +
                           "; expected a managed policy name or id, or a name from "
                           "response_headers_policies");
  return std::nullopt;
}

}  // namespace detail

std::span<const ResponseHeadersPolicy> managed_response_headers_policies() {
  return detail::managed_table();
}

const ResponseHeadersPolicy* find_managed_response_headers_policy(std::string_view name_or_id) {
  for (const ResponseHeadersPolicy& p : detail::managed_table()) {
    if (p.name == name_or_id || p.id == name_or_id) return &p;
  }
  return nullptr;
}

}  // namespace edgefront::config
