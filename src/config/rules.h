// CloudFront's value rules shared by both config formats: pure functions returning the reason a
// value is rejected (nullopt = accepted). The loaders add the field path.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/config.h"
#include "http/message.h"

namespace edgefront::config::detail {

// ErrorCode values a CustomErrorResponse may customise, and the ResponseCode values allowed.
inline constexpr int kCustomErrorCodes[] = {400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504};
inline constexpr int kResponseCodes[] = {200, 400, 403, 404, 405, 414,
                                         416, 500, 501, 502, 503, 504};
// Failover codes CloudFront's console offers; others are accepted with a warning.
inline constexpr int kConsoleFailoverCodes[] = {400, 403, 404, 416, 500, 502, 503, 504};
inline constexpr size_t kMaxCustomHeaders = 10;
inline constexpr size_t kMaxCustomHeaderValue = 1783;
inline constexpr size_t kMaxPathLength = 255;

bool contains(std::span<const int> codes, int code);
// "expected one of 400|403|404".
std::string expected_one_of(std::span<const int> codes);

// A host name or IP address without port, path or whitespace (DomainName / domain_name).
bool is_bare_host(std::string_view host);

// An alias (CNAME): host name characters, optionally "*." in front. Lower-case it first.
std::optional<std::string> check_alias(std::string_view alias);

// OriginPath: "" (none) or "/a/b": starts with '/', does not end with '/'.
std::optional<std::string> check_origin_path(std::string_view path);

// PathPattern: non-empty, at most 255 characters of CloudFront's allowed set.
std::optional<std::string> check_path_pattern(std::string_view pattern);

// DefaultRootObject: no leading '/', at most 255 characters of CloudFront's allowed set.
std::optional<std::string> check_default_root_object(std::string_view object);

// ResponsePagePath: starts with '/'.
std::optional<std::string> check_response_page_path(std::string_view path);

// An HTTP field name (an RFC 9110 token of at most 256 characters).
bool is_header_name(std::string_view name);

// A custom origin header name: an HTTP token not on CloudFront's forbidden list.
std::optional<std::string> check_custom_header_name(std::string_view name);

// A custom origin header value: at most 1,783 characters, no control characters (no CR/LF).
std::optional<std::string> check_custom_header_value(std::string_view value);

// GET, HEAD, OPTIONS, PUT, POST, PATCH or DELETE (upper case, as CloudFront spells them).
std::optional<http::Method> parse_allowed_method(std::string_view name);
inline constexpr std::string_view kMethodChoices = "GET|HEAD|OPTIONS|PUT|POST|PATCH|DELETE";
// True if every method in `inner` is in `outer`.
bool is_subset(const http::MethodSet& inner, const http::MethodSet& outer);
// True if the set has a method CloudFront never fails over (PUT, POST, PATCH, DELETE).
bool has_write_method(const http::MethodSet& methods);

// An id or name: nullopt if it holds no control character (C0, NUL included, or DEL), else
// "control character 0x.. not allowed in an id".
std::optional<std::string> check_id_text(std::string_view text);

// "host:port" where host is an IPv4 address or a bracketed IPv6 address; port 0-65535.
std::optional<ListenAddress> parse_listen_address(std::string_view text);
bool is_loopback(const ListenAddress& address);
// "127.0.0.1:8080" / "[::1]:8080".
std::string format_listen_address(const ListenAddress& address);

// Reference checks between origins, groups and behaviors.
// nullopt if `id` names an origin or group of `d`.
std::optional<std::string> check_target(const Distribution& d, std::string_view id);
// nullopt if `id` names a plain origin of `d` (group members cannot be groups).
std::optional<std::string> check_group_member(const Distribution& d, std::string_view id);

}  // namespace edgefront::config::detail
