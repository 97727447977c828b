#include "cache/cache_key.h"

#include <xxhash.h>

#include <algorithm>
#include <vector>

#include "base/strings.h"
#include "http/accept_encoding.h"

namespace edgefront::cache {

namespace {

using Behavior = config::KeyValues::Behavior;

// Every part is written as "<length>:<bytes>", so no two different part sequences can produce
// the same text whatever bytes the parts hold.
void append_part(std::string& out, std::string_view part) {
  out.append(std::to_string(part.size()));
  out.push_back(':');
  out.append(part);
}

// Legacy cookie allow-lists accept `*` (any run) and `?` (one character) wildcards.
bool wildcard_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Whether a query string or cookie name is selected (names are case-sensitive, spec 3.7).
bool selects(const config::KeyValues& values, std::string_view name, bool wildcards) {
  auto listed = [&] {
    return std::any_of(values.names.begin(), values.names.end(), [&](const std::string& n) {
      return wildcards ? wildcard_match(n, name) : n == name;
    });
  };
  switch (values.behavior) {
    case Behavior::kNone:
      return false;
    case Behavior::kAll:
      return true;
    case Behavior::kWhitelist:
      return listed();
    case Behavior::kAllExcept:
      return !listed();
  }
  return false;
}

// Query parameters in request order; `&` is the only separator (`;` belongs to the value).
void append_query(std::string& out, const config::KeyValues& values, std::string_view query) {
  std::string selected;
  size_t count = 0;
  // Empty parameters ("a&&b", "a&") are kept: the origin sees them too.
  size_t start = 0;
  while (!query.empty() && values.behavior != Behavior::kNone) {
    size_t amp = query.find('&', start);
    std::string_view param = query.substr(start, amp == std::string_view::npos ? amp : amp - start);
    if (selects(values, param.substr(0, param.find('=')), false)) {
      append_part(selected, param);
      ++count;
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  append_part(out, std::to_string(count) + ";" + selected);
}

// Whitelisted headers, by lower-case name in sorted order; values case-sensitive. An absent
// header and an empty one differ.
void append_headers(std::string& out, const config::KeyValues& values,
                    const http::HeaderList& headers) {
  std::string selected;
  if (values.behavior == Behavior::kWhitelist) {
    std::vector<std::string> names;
    for (const std::string& n : values.names) names.push_back(to_lower(n));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const std::string& name : names) {
      append_part(selected, name);
      std::optional<std::string> value = headers.get_combined(name);
      append_part(selected, value ? "=" + *value : "-");
    }
  }
  append_part(out, selected);
}

struct Cookie {
  std::string_view name;
  std::string_view value;
};

std::vector<Cookie> parse_cookies(const http::HeaderList& headers) {
  std::vector<Cookie> out;
  for (const auto& [name, value] : headers.fields()) {
    if (!iequals(name, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = trim(rest.substr(0, semi));
      if (!pair.empty()) {
        size_t eq = pair.find('=');
        Cookie c;
        c.name = trim(pair.substr(0, eq));
        c.value = eq == std::string_view::npos ? std::string_view() : trim(pair.substr(eq + 1));
        if (!c.name.empty()) out.push_back(c);
      }
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return out;
}

// Selected cookies sorted by name (spec 3.7); equal names keep request order.
void append_cookies(std::string& out, const config::KeyValues& values,
                    const http::HeaderList& headers) {
  std::string selected;
  if (values.behavior != Behavior::kNone) {
    std::vector<Cookie> cookies = parse_cookies(headers);
    std::erase_if(cookies, [&](const Cookie& c) { return !selects(values, c.name, true); });
    std::stable_sort(cookies.begin(), cookies.end(),
                     [](const Cookie& a, const Cookie& b) { return a.name < b.name; });
    for (const Cookie& c : cookies) {
      append_part(selected, c.name);
      append_part(selected, c.value);
    }
  }
  append_part(out, selected);
}

}  // namespace

std::string normalized_accept_encoding(const config::CachePolicy& policy,
                                       const http::RequestHead& request) {
  if (!request.version.at_least_1_1()) return "";  // spec 3.10: HTTP/1.0 never compressed
  std::optional<std::string> value = request.headers.get_combined("Accept-Encoding");
  if (!value) return "";
  return http::normalize_accept_encoding(*value, policy.accept_encoding_gzip,
                                         policy.accept_encoding_brotli,
                                         policy.accept_encoding_zstd);
}

CacheKey build_cache_key(const config::CachePolicy& policy, std::string_view distribution_id,
                         const http::RequestHead& request) {
  CacheKey key;
  std::string& out = key.primary;
  out.reserve(64 + request.target.size());
  append_part(out, distribution_id);
  // OPTIONS responses are cached separately (spec 3.4); GET and HEAD share objects.
  append_part(out, request.method == http::Method::kOptions ? "OPTIONS" : "");
  append_part(out, request.path());
  append_query(out, policy.query_strings, request.query());
  append_headers(out, policy.headers, request.headers);
  append_cookies(out, policy.cookies, request.headers);
  append_part(out, normalized_accept_encoding(policy, request));
  key.hash = XXH3_64bits(out.data(), out.size());
  return key;
}

namespace {

// A selecting field's value with the whitespace its list syntax allows around commas removed
// (outside quoted strings), so `1,2`, ` 1, 2 ` and two lines `1` / `2` select alike
// (RFC 9111 4.1).
std::string without_list_whitespace(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool quoted = false;
  bool escaped = false;
  for (char c : trim(value)) {
    if (quoted) {
      out.push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') quoted = true;
    if (c == ',') {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
    } else if ((c == ' ' || c == '\t') && !out.empty() && out.back() == ',') {
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// Fields whose whole value is case-insensitive by definition (language ranges, RFC 4647 2.1;
// content-codings, RFC 9110 8.4.1; the `q` weight): `en-US` selects as `en-us`.
bool case_insensitive_value(std::string_view lower_name) {
  return lower_name == "accept-language" || lower_name == "accept-encoding";
}

// `fields`: a HeaderList's fields or a PackedHead, both (name, value) pairs.
template <class Fields>
std::optional<std::string> secondary_key_of(const Fields& fields,
                                            const http::RequestHead& request) {
  std::vector<std::string> names;
  bool star = false;
  for (const auto& [name, value] : fields) {
    if (!iequals(name, "Vary")) continue;
    for_each_list_token(value, [&](std::string_view token) {
      if (token == "*") star = true;
      names.push_back(to_lower(token));
    });
  }
  if (star) return std::nullopt;  // RFC 9111 4.1: never matches
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out;
  for (const std::string& name : names) {
    append_part(out, name);
    // Values are compared after combining lines; whitespace around them does not matter.
    std::optional<std::string> value = request.headers.get_combined(name);
    if (!value) {
      append_part(out, "-");
      continue;
    }
    std::string selecting = without_list_whitespace(*value);
    if (case_insensitive_value(name)) selecting = to_lower(selecting);
    append_part(out, "=" + selecting);
  }
  return out;
}

}  // namespace

std::optional<std::string> vary_secondary_key(const http::HeaderList& response_headers,
                                              const http::RequestHead& request) {
  return secondary_key_of(response_headers.fields(), request);
}

std::optional<std::string> vary_secondary_key(const http::PackedHead& stored,
                                              const http::RequestHead& request) {
  return secondary_key_of(stored, request);
}

}  // namespace edgefront::cache
