#include "upstream/origin_request.h"

#include <algorithm>
#include <array>
#include <vector>

#include "base/strings.h"
#include "http/accept_encoding.h"
#include "routing/path_pattern.h"
#include "upstream/unkeyed_headers.h"

namespace edgefront::upstream {

namespace {

// Removed by CloudFront unless the header is forwarded (legacy default: "not configured to
// cache on that header", spec §4.2).
constexpr std::array<std::string_view, 6> kDefaultRemoved = {
    "Accept",  "Accept-Charset", "Accept-Language",
    "Referer", "Authorization",  "X-HTTP-Method-Override"};

// Always removed toward the origin: framing is set by the client, the rest CloudFront strips.
constexpr std::array<std::string_view, 5> kAlwaysRemoved = {
    "Expect", "Content-Length", "Transfer-Encoding", "X-Real-IP", "X-Forwarded-Proto"};

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool contains_ci(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return iequals(n, name); });
}

// Appends `entry` to the (combined) list header `name`, leaving one field.
void append_list_value(http::HeaderList& headers, std::string_view name, std::string_view entry) {
  std::optional<std::string> existing = headers.get_combined(name);
  if (existing && !trim(*existing).empty()) {
    existing->append(", ");
    existing->append(entry);
    headers.set(name, *existing);
  } else {
    headers.set(name, entry);
  }
}

std::string joined_cookies(const http::HeaderList& headers) {
  std::string out;
  for (const auto& [name, value] : headers.fields()) {
    if (!iequals(name, "Cookie")) continue;
    std::string_view v = trim(value);
    if (v.empty()) continue;
    if (!out.empty()) out.append("; ");
    out.append(v);
  }
  return out;
}

}  // namespace

void remove_hop_by_hop(http::HeaderList& headers) {
  std::vector<std::string_view> listed;
  std::vector<std::string> connection_values;  // copies: the fields are erased below
  for (const auto& [name, value] : headers.fields()) {
    if (iequals(name, "Connection")) connection_values.push_back(value);
  }
  for (const std::string& v : connection_values) {
    for_each_list_token(v, [&](std::string_view token) { listed.push_back(token); });
  }
  auto& fields = headers.fields();
  fields.erase(std::remove_if(fields.begin(), fields.end(),
                              [&](const http::HeaderList::Field& f) {
                                if (http::is_hop_by_hop(f.first)) return true;
                                return std::any_of(
                                    listed.begin(), listed.end(),
                                    [&](std::string_view t) { return iequals(t, f.first); });
                              }),
               fields.end());
}

std::string filter_query(std::string_view query, const config::Forwarding& forwarding) {
  if (forwarding.query_string_names.empty()) return std::string(query);
  std::string out;
  size_t start = 0;
  while (true) {
    size_t amp = query.find('&', start);
    std::string_view param = query.substr(start, amp == std::string_view::npos ? amp : amp - start);
    std::string_view name = param.substr(0, param.find('='));
    bool listed =
        std::find(forwarding.query_string_names.begin(), forwarding.query_string_names.end(),
                  name) != forwarding.query_string_names.end();
    if (listed != forwarding.query_string_except) {
      if (!out.empty()) out.push_back('&');
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

std::string filter_cookies(std::string_view cookie_header, const std::vector<std::string>& names,
                           bool keep_listed) {
  std::string out;
  while (!cookie_header.empty()) {
    size_t semi = cookie_header.find(';');
    std::string_view pair = trim(cookie_header.substr(0, semi));
    cookie_header.remove_prefix(semi == std::string_view::npos ? cookie_header.size() : semi + 1);
    if (pair.empty()) continue;
    std::string_view name = trim(pair.substr(0, pair.find('=')));
    bool keep = std::any_of(names.begin(), names.end(), [&](const std::string& pattern) {
      return routing::glob_match(pattern, name);
    });
    if (keep != keep_listed) continue;
    if (!out.empty()) out.append("; ");
    out.append(pair);
  }
  return out;
}

http::RequestHead build_origin_request(const http::RequestHead& viewer,
                                       std::string_view origin_path, const config::Origin& origin,
                                       const config::Forwarding& forwarding,
                                       const ViewerInfo& viewer_info, std::string_view via_name) {
  http::RequestHead out;
  out.method = viewer.method;
  out.method_text = viewer.method_text;
  if (out.method_text.empty() && out.method != http::Method::kOther) {
    out.method_text.assign(http::method_name(out.method));
  }
  out.version = http::Version{1, 1};
  out.keep_alive = true;
  out.chunked = viewer.chunked;
  out.content_length = viewer.content_length;

  out.target.reserve(origin.origin_path.size() + origin_path.size() + viewer.query().size() + 1);
  out.target.append(origin.origin_path);
  out.target.append(origin_path);
  if (forwarding.query_string && !viewer.query().empty()) {
    std::string query = filter_query(viewer.query(), forwarding);
    if (!query.empty()) {
      out.target.push_back('?');
      out.target.append(query);
    }
  }

  out.headers = viewer.headers;
  http::HeaderList& h = out.headers;
  remove_hop_by_hop(h);
  for (std::string_view name : kAlwaysRemoved) h.remove(name);
  auto& fields = h.fields();
  fields.erase(std::remove_if(fields.begin(), fields.end(),
                              [](const http::HeaderList::Field& f) {
                                return starts_with_ci(f.first, "X-Edge-");
                              }),
               fields.end());

  // Headers.
  bool all_headers = forwarding.headers == config::Forwarding::Headers::kAll ||
                     (forwarding.headers == config::Forwarding::Headers::kWhitelist &&
                      contains_ci(forwarding.header_names, "*"));
  auto forwarded = [&](std::string_view name) {
    return all_headers || (forwarding.headers == config::Forwarding::Headers::kWhitelist &&
                           contains_ci(forwarding.header_names, name));
  };
  for (const std::string& name : forwarding.header_except_names) h.remove(name);
  if (!all_headers) {
    for (std::string_view name : kDefaultRemoved) {
      if (!forwarded(name)) h.remove(name);
    }
    if (!forwarded("User-Agent")) h.set("User-Agent", kCloudFrontUserAgent);
    if (forwarding.strip_unkeyed_overrides) {
      for (std::string_view name : kUnkeyedOverrideHeaders) {
        if (!forwarded(name)) h.remove(name);
      }
    }
  }

  // Accept-Encoding (spec 3.10).
  switch (forwarding.accept_encoding) {
    case config::Forwarding::AcceptEncoding::kPassThrough:
      break;
    case config::Forwarding::AcceptEncoding::kNormalize: {
      std::optional<std::string> value = h.get_combined("Accept-Encoding");
      std::string normalized =
          value && viewer.version.at_least_1_1()
              ? http::normalize_accept_encoding(*value, forwarding.accept_encoding_gzip,
                                                forwarding.accept_encoding_brotli,
                                                forwarding.accept_encoding_zstd)
              : std::string();
      h.set("Accept-Encoding", normalized.empty() ? "identity" : normalized);
      break;
    }
    case config::Forwarding::AcceptEncoding::kRemove:
      h.remove("Accept-Encoding");
      break;
  }

  // Cookies.
  switch (forwarding.cookies) {
    case config::Forwarding::Cookies::kNone:
      h.remove("Cookie");
      break;
    case config::Forwarding::Cookies::kWhitelist: {
      std::string kept = filter_cookies(joined_cookies(h), forwarding.cookie_names);
      if (kept.empty()) {
        h.remove("Cookie");
      } else {
        h.set("Cookie", kept);
      }
      break;
    }
    case config::Forwarding::Cookies::kAll:
      if (!forwarding.cookie_except_names.empty()) {
        std::string kept = filter_cookies(joined_cookies(h), forwarding.cookie_except_names,
                                          /*keep_listed=*/false);
        if (kept.empty()) {
          h.remove("Cookie");
        } else {
          h.set("Cookie", kept);
        }
      } else if (h.count("Cookie") > 1) {
        h.set("Cookie", joined_cookies(h));  // one field for HTTP/1.1
      }
      break;
  }

  // Host: the origin's domain name (no port), unless the viewer's Host is forwarded.
  bool keep_host =
      (origin.forward_viewer_host || forwarding.forward_host ||
       (!all_headers && forwarding.headers == config::Forwarding::Headers::kWhitelist &&
        contains_ci(forwarding.header_names, "Host"))) &&
      h.contains("Host");
  if (!keep_host) {
    if (h.contains("Host")) {
      h.set("Host", origin.domain_name);
    } else {
      fields.insert(fields.begin(), http::HeaderList::Field{"Host", origin.domain_name});
    }
  }

  // X-Forwarded-For: the viewer's list (one field) plus the TCP peer.
  if (!viewer_info.peer_ip.empty()) {
    append_list_value(h, "X-Forwarded-For", viewer_info.peer_ip);
  } else if (h.count("X-Forwarded-For") > 1) {
    h.set("X-Forwarded-For", *h.get_combined("X-Forwarded-For"));
  }

  // Via.
  std::string via = "1.1 ";
  via.append(via_name);
  append_list_value(h, "Via", via);

  // Origin custom headers last: they overwrite the viewer's.
  for (const config::CustomHeader& c : origin.custom_headers) h.set(c.name, c.value);
  return out;
}

void rewrite_response_headers(http::HeaderList& headers, http::Version origin_version,
                              std::string_view via_name) {
  remove_hop_by_hop(headers);
  std::string via;
  via.reserve(4 + via_name.size());
  via.push_back(static_cast<char>('0' + origin_version.major % 10));
  via.push_back('.');
  via.push_back(static_cast<char>('0' + origin_version.minor % 10));
  via.push_back(' ');
  via.append(via_name);
  append_list_value(headers, "Via", via);
}

}  // namespace edgefront::upstream
