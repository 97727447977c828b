// Fuzzes the header rules between viewer and origin: build_origin_request (viewer request head
// -> origin request head) and rewrite_response_headers (origin response headers -> viewer),
// with headers taken from the input and every Forwarding mode. Neither may pass on a
// hop-by-hop header, and neither may put CR or LF into a header that did not already carry
// them in the input (a header-injection vector); when one did, only "no crash" is checked.
//
// Input: byte 0 picks the Forwarding (bits 0-1 headers: default, whitelist, all, whitelist
// with "*"; bits 2-3 cookies: none, whitelist, all; bit 4 query string; bit 5
// forward_viewer_host; bit 6 no peer IP; bit 7 an OriginPath). Byte 1: bits 0-2 the method,
// bit 3 chunked, bit 4 a Content-Length, bits 5-7 the origin's minor version. The rest is split
// on NUL: the request target first, then "name:value" header fields (split at the first ':').
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/strings.h"
#include "config/config.h"
#include "http/message.h"
#include "routing/path_pattern.h"
#include "upstream/origin_request.h"

using edgefront::iequals;
using edgefront::to_lower;
using edgefront::config::Forwarding;
using edgefront::config::Origin;
using edgefront::http::HeaderList;
using edgefront::http::Method;
using edgefront::http::RequestHead;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "origin_request_fuzz: %s\n", what);
  std::abort();
}

bool has_crlf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Lower-cased names of the input fields that carry CR or LF in their name or value.
std::set<std::string> crlf_names(const HeaderList& headers) {
  std::set<std::string> names;
  for (const auto& [name, value] : headers.fields()) {
    if (has_crlf(name) || has_crlf(value)) names.insert(to_lower(name));
  }
  return names;
}

void check_common(const HeaderList& out, const std::set<std::string>& tainted) {
  for (const auto& [name, value] : out.fields()) {
    check(!edgefront::http::is_hop_by_hop(name), "hop-by-hop header passed on");
    if (has_crlf(name) || has_crlf(value)) {
      check(tainted.count(to_lower(name)) == 1, "CR/LF in a header the input had clean");
    }
  }
}

Method pick_method(uint8_t b) {
  switch (b & 7) {
    case 0:
      return Method::kGet;
    case 1:
      return Method::kHead;
    case 2:
      return Method::kOptions;
    case 3:
      return Method::kPut;
    case 4:
      return Method::kPost;
    case 5:
      return Method::kPatch;
    case 6:
      return Method::kDelete;
    default:
      return Method::kOther;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 8192) return 0;
  const uint8_t mode = data[0];
  const uint8_t req_bits = data[1];

  Forwarding fwd;
  static const Forwarding::Headers kHeaderModes[] = {
      Forwarding::Headers::kDefault, Forwarding::Headers::kWhitelist, Forwarding::Headers::kAll,
      Forwarding::Headers::kWhitelist};
  fwd.headers = kHeaderModes[mode & 3];
  fwd.header_names = {"Host", "Accept", "authorization", "X-Custom", "User-Agent"};
  if ((mode & 3) == 3) fwd.header_names.push_back("*");
  static const Forwarding::Cookies kCookieModes[] = {
      Forwarding::Cookies::kNone, Forwarding::Cookies::kWhitelist, Forwarding::Cookies::kAll,
      Forwarding::Cookies::kAll};
  fwd.cookies = kCookieModes[(mode >> 2) & 3];
  fwd.cookie_names = {"session", "pref*", "?d"};
  fwd.query_string = (mode & 16) != 0;

  Origin origin;
  origin.id = "o";
  origin.domain_name = "origin.example.com";
  origin.forward_viewer_host = (mode & 32) != 0;
  if (mode & 128) origin.origin_path = "/prod";
  origin.custom_headers = {{"X-Origin-Secret", "s3cr3t"}, {"Accept-Language", "en"}};

  edgefront::upstream::ViewerInfo viewer_info;
  if (!(mode & 64)) viewer_info = {"192.0.2.7", 50123, false};

  RequestHead viewer;
  viewer.method = pick_method(req_bits);
  viewer.method_text = viewer.method == Method::kOther
                           ? "PURGE"
                           : std::string(edgefront::http::method_name(viewer.method));
  viewer.chunked = (req_bits & 8) != 0;
  if (req_bits & 16) viewer.content_length = 42;

  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  size_t nul = rest.find('\0');
  viewer.target.assign(rest.substr(0, nul));
  rest.remove_prefix(nul == std::string_view::npos ? rest.size() : nul + 1);
  while (!rest.empty()) {
    nul = rest.find('\0');
    std::string_view field = rest.substr(0, nul);
    rest.remove_prefix(nul == std::string_view::npos ? rest.size() : nul + 1);
    size_t colon = field.find(':');
    if (colon == std::string_view::npos) {
      viewer.headers.add(field, "");
    } else {
      viewer.headers.add(field.substr(0, colon), field.substr(colon + 1));
    }
  }
  const std::set<std::string> tainted = crlf_names(viewer.headers);

  // Viewer -> origin.
  RequestHead out = edgefront::upstream::build_origin_request(viewer, viewer.path(), origin, fwd,
                                                              viewer_info, "edgefront");
  const HeaderList& h = out.headers;
  check_common(h, tainted);
  if (!has_crlf(viewer.target)) check(!has_crlf(out.target), "CR/LF in the origin target");
  for (std::string_view removed :
       {"Content-Length", "Transfer-Encoding", "Expect", "X-Real-IP", "X-Forwarded-Proto"}) {
    check(!h.contains(removed), "framing / stripped header passed on");
  }
  for (const auto& field : h.fields()) {
    check(!(field.first.size() >= 7 && iequals(field.first.substr(0, 7), "X-Edge-")),
          "X-Edge-* header passed on");
  }
  // The server answers 400 to a request with several Host fields before it gets here.
  if (viewer.headers.count("Host") <= 1) check(h.count("Host") == 1, "not exactly one Host");
  check(h.count("Via") == 1 && h.get("Via")->ends_with("1.1 edgefront"), "Via not appended");
  check(h.get("X-Origin-Secret") == "s3cr3t", "origin custom header missing");
  check(out.method == viewer.method && out.chunked == viewer.chunked &&
            out.content_length == viewer.content_length,
        "method or framing changed");
  check(out.target.starts_with(origin.origin_path), "OriginPath not prepended");
  if (fwd.cookies == Forwarding::Cookies::kNone) check(!h.contains("Cookie"), "cookie forwarded");
  if (fwd.cookies == Forwarding::Cookies::kWhitelist && h.contains("Cookie")) {
    check(h.count("Cookie") == 1, "several Cookie fields");
    std::string_view cookies = *h.get("Cookie");
    while (!cookies.empty()) {
      size_t semi = cookies.find(';');
      std::string_view pair = edgefront::trim(cookies.substr(0, semi));
      cookies.remove_prefix(semi == std::string_view::npos ? cookies.size() : semi + 1);
      std::string_view name = edgefront::trim(pair.substr(0, pair.find('=')));
      bool listed = false;
      for (const std::string& p : fwd.cookie_names) {
        listed = listed || edgefront::routing::glob_match(p, name);
      }
      check(pair.empty() || listed, "cookie outside the whitelist forwarded");
    }
  }
  if (fwd.headers == Forwarding::Headers::kDefault) {
    check(h.get("User-Agent") == edgefront::upstream::kCloudFrontUserAgent,
          "viewer User-Agent forwarded");
    check(!h.contains("Authorization") && !h.contains("Referer"), "default-removed header kept");
  }

  // Origin -> viewer: the same fields as an origin's response headers.
  HeaderList response = viewer.headers;
  edgefront::http::Version version{1, static_cast<uint8_t>(req_bits >> 5)};
  edgefront::upstream::rewrite_response_headers(response, version, "edgefront");
  check_common(response, tainted);
  std::optional<std::string> via = response.get_combined("Via");
  check(via && via->ends_with("1." + std::to_string(version.minor % 10) + " edgefront"),
        "Via not appended to the response");
  return 0;
}
