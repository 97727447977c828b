// Viewer headers that make an origin answer for another host, scheme, port, URL or method than
// the one the edge keyed the response on. CloudFront forwards them (spec §4.2: "other
// headers"), outside the cache key; one request carrying, say, `X-Forwarded-Host: evil` then
// stores a response whose links or redirects point at evil for every later viewer (web cache
// poisoning). On a behavior that caches, edgefront removes them unless a list (the cache key,
// an origin request policy's allow list, legacy ForwardedValues) names them; forwarding all
// headers keeps them. docs/design/cache.md has the table and the reasons.
#pragma once

#include <array>
#include <string_view>

namespace edgefront::upstream {

inline constexpr std::array<std::string_view, 13> kUnkeyedOverrideHeaders = {
    // Host the origin believes it serves: absolute links, redirects, password-reset URLs.
    "X-Forwarded-Host", "X-Forwarded-Server", "X-Host", "X-Original-Host",
    // RFC 7239: host=, proto= and for= in one field, read by Spring, Express, Go proxies.
    "Forwarded",
    // Scheme and port: redirect loops to http, links to an unreachable port.
    "X-Forwarded-Scheme", "X-Forwarded-Ssl", "X-Forwarded-Port",
    // Path prefix prepended to generated links (Spring, Traefik).
    "X-Forwarded-Prefix",
    // The URL actually routed (IIS, Symfony, Zend): another page stored under this path.
    "X-Original-URL", "X-Rewrite-URL",
    // The method actually run (a GET turned into a DELETE or POST whose answer is cached).
    // X-HTTP-Method-Override is already removed by CloudFront's default rules.
    "X-HTTP-Method", "X-Method-Override"};

}  // namespace edgefront::upstream
