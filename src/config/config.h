// The configuration model: plain structs, filled from native YAML or a CloudFront
// DistributionConfig (JSON), validated at load. Immutable once published.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace edgefront::config {

using Duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

enum class OriginProtocolPolicy { kHttpOnly, kHttpsOnly, kMatchViewer };
enum class ViewerProtocolPolicy { kAllowAll, kRedirectToHttps, kHttpsOnly };

struct CustomHeader {
  std::string name;
  std::string value;
};

// Active health checking of one origin, Route 53 style (cloudfront-spec.md section 10.1).
struct HealthCheck {
  enum class Protocol { kOrigin, kHttp, kHttps, kTcp };  // kOrigin: follow protocol_policy
  bool enabled = false;
  Protocol protocol = Protocol::kOrigin;
  std::string path = "/";
  uint16_t port = 0;            // 0: the origin's port for the protocol
  Duration interval = 10s;      // between probes (each probe adds up to 10% jitter)
  Duration timeout = 2s;        // connect + response, per probe
  int healthy_threshold = 2;    // consecutive successes to become healthy
  int unhealthy_threshold = 3;  // consecutive failures to become unhealthy (Route 53 default 3)
  int expected_status_min = 200;
  int expected_status_max = 399;
  std::string body_contains;  // must appear in the first 5,120 bytes of the body
};

// Passive outlier detection: real requests that fail eject an origin for a while.
struct OutlierDetection {
  bool enabled = true;
  int consecutive_failures = 5;  // connect failures, timeouts, closed/bad responses, 5xx
  Duration base_ejection = 10s;  // first ejection; doubles with each repeated ejection
  Duration max_ejection = 300s;
  int max_ejected_percent = 50;  // never eject more than this share of a group's members
  // After an ejection ends the origin is re-admitted gradually: its share of the requests it
  // would lead grows linearly over this window (from 10%), and one failure in the window
  // ejects it again. 0: back at full share at once.
  Duration recovery_window = 10s;
};

// One origin: an HTTP(S) server, or a local directory (the "S3 bucket" of the seeds).
struct Origin {
  std::string id;
  std::string domain_name;  // bare host name or IP; empty for directory origins
  std::string directory;    // non-empty => directory origin (absolute after load)
  std::string origin_path;  // "/prefix" or empty; never ends with '/'
  std::vector<CustomHeader> custom_headers;
  uint16_t http_port = 80;
  uint16_t https_port = 443;
  OriginProtocolPolicy protocol_policy = OriginProtocolPolicy::kHttpOnly;
  std::vector<std::string> ssl_protocols;  // OriginSslProtocols; empty = TLSv1.2 and up
  std::string ca_file;  // PEM CAs to verify the origin against (absolute); empty: system store
  int connection_attempts = 3;        // 1-3
  Duration connection_timeout = 10s;  // per attempt
  Duration read_timeout = 30s;        // first byte, and gap between reads
  Duration keepalive_timeout = 5s;    // idle pooled connection lifetime
  bool forward_viewer_host = false;   // send the viewer's Host instead of domain_name
  HealthCheck health_check;
  // Circuit breaking: requests in flight to this origin across all workers; 0 = no limit.
  int max_concurrent_requests = 0;

  bool is_directory() const { return !directory.empty(); }
};

// Bounds on how much one request may spend failing over, and on how much retrying a group
// may add to an origin's load (native only; everything off by default, as CloudFront).
struct FailoverBounds {
  int max_attempts = 0;  // attempts per request across members and retries; 0: no cap
  Duration max_time{0};  // wall time per request across attempts; 0: no cap
  // Connect timeout from the measured connect time: on by default (a black-holed member
  // costs `connect_floor`, not ConnectionTimeout); off (or selection: cloudfront) is
  // CloudFront-exact.
  bool adaptive_connect = true;
  Duration connect_floor = 100ms;  // lowest adapted connect timeout
  int connect_multiplier = 4;      // adapted timeout = multiplier x smoothed connect time
  int retry_budget_percent = 0;    // retries <= this share of an origin's requests; 0: off
  int retry_budget_min = 3;        // retries always allowed per window (low traffic)
  Duration retry_budget_window = 10s;
  bool honor_retry_after = true;  // a listed 429/503 with Retry-After rests that member
  // Other methods than GET/HEAD/OPTIONS may move to the next member, but only when nothing
  // was sent (the connect failed or timed out).
  bool retry_non_idempotent = false;
  // GET/HEAD: when the first member has not answered after this long, ask the next member
  // too and take the first useful answer. 0: off.
  Duration hedge_after{0};
};

struct OriginGroup {
  // kHealthAware (default): members known to be down (active checks, ejection) are skipped,
  // so a dead primary costs nothing; it is used again once healthy (failback).
  // kCloudFront: stateless, every request starts at the primary, exactly as CloudFront.
  enum class Selection { kHealthAware, kCloudFront };
  // kPriority: members in list order (failover). The others spread requests over the
  // available members (active-active) and fail over to the rest on failure.
  enum class LoadBalancing {
    kPriority,
    kWeightedRoundRobin,
    kLeastRequest,
    kConsistentHash,
    kEwma
  };
  std::string id;
  std::vector<int> failover_status_codes;
  std::vector<std::string> member_origin_ids;  // first = primary, in failover order
  Selection selection = Selection::kHealthAware;
  OutlierDetection outlier_detection;
  FailoverBounds failover;
  LoadBalancing load_balancing = LoadBalancing::kPriority;
  std::vector<int> weights;  // parallel to member_origin_ids; 1 unless given
};

// What of the viewer request goes to the origin (legacy ForwardedValues semantics).
struct Forwarding {
  enum class Cookies { kNone, kWhitelist, kAll };
  enum class Headers { kDefault, kWhitelist, kAll };
  bool query_string = true;
  Cookies cookies = Cookies::kAll;
  std::vector<std::string> cookie_names;  // kWhitelist
  Headers headers = Headers::kAll;
  std::vector<std::string> header_names;  // kWhitelist
  // Query strings: when query_string is true and this list is non-empty, only these names
  // (query_string_except: all but these) are sent.
  std::vector<std::string> query_string_names;
  bool query_string_except = false;
  // Cookies kAll with these names removed (origin request policy allExcept).
  std::vector<std::string> cookie_except_names;
  // Headers kAll with these names removed (origin request policy allExcept).
  std::vector<std::string> header_except_names;
  // Send the viewer's Host (an origin request policy with all viewer headers).
  bool forward_host = false;
  // A behavior that caches: the headers that make an origin build its URLs or pick its method
  // from the request (X-Forwarded-Host, X-Original-URL, ...; upstream/unkeyed_headers.h) are
  // removed unless a list names them, because they are not in the cache key (cache
  // poisoning). Set at load from the cache policy; never with all headers forwarded.
  bool strip_unkeyed_overrides = false;
  // Accept-Encoding toward the origin (spec 3.10): as the viewer sent it, normalised to the
  // codings the cache keys on ("identity" when none), or removed (a cache policy without
  // gzip/brotli that neither keys nor forwards the header).
  enum class AcceptEncoding { kPassThrough, kNormalize, kRemove };
  AcceptEncoding accept_encoding = AcceptEncoding::kPassThrough;
  bool accept_encoding_gzip = false;    // kNormalize
  bool accept_encoding_brotli = false;  // kNormalize
  bool accept_encoding_zstd = false;    // kNormalize (native YAML only)
};

// Which request values go into the cache key (and therefore also to the origin).
struct KeyValues {
  enum class Behavior { kNone, kWhitelist, kAllExcept, kAll };
  Behavior behavior = Behavior::kNone;
  std::vector<std::string> names;  // kWhitelist / kAllExcept
};

// A CloudFront cache policy (cloudfront-spec.md 3.5, 3.8, 3.15), or edgefront's RFC 9111 mode.
struct CachePolicy {
  std::string name;  // managed name ("CachingOptimized") or the user's; empty: legacy settings
  std::string id;    // managed id, or the user's/generated one
  Duration min_ttl = 0s;
  Duration default_ttl = 86400s;
  Duration max_ttl = 31536000s;
  KeyValues query_strings, headers, cookies;  // headers: kNone or kWhitelist only
  bool accept_encoding_gzip = false;
  bool accept_encoding_brotli = false;
  bool accept_encoding_zstd = false;  // native YAML only: CloudFront has no zstd switch
  bool honour_origin = false;  // native YAML only: follow RFC 9111 exactly, TTL fields unused

  // CachingDisabled-like: nothing is ever stored.
  bool caching_disabled() const {
    return !honour_origin && max_ttl <= Duration::zero() && default_ttl <= Duration::zero() &&
           min_ttl <= Duration::zero();
  }
};

// A CloudFront origin request policy: what goes to the origin on top of the cache key
// (cloudfront-spec.md 3.8); never part of the key.
struct OriginRequestPolicy {
  enum class HeaderBehavior {
    kNone,
    kWhitelist,
    kAllViewer,
    kAllViewerAndWhitelistCloudFront,
    kAllExcept
  };
  std::string name;
  std::string id;
  HeaderBehavior header_behavior = HeaderBehavior::kNone;
  std::vector<std::string>
      header_names;                  // kWhitelist, kAllViewerAndWhitelistCloudFront, kAllExcept
  KeyValues cookies, query_strings;  // same four behaviors as in a cache policy
};

// Server-wide cache settings (native YAML `server.cache`).
struct CacheStorage {
  uint64_t memory_bytes = 256ull << 20;
  Duration serve_stale_after = 0s;  // 0 = off; else serve a stale copy once the origin is this
                                    // late, and let the fetch finish in the background
  // The disk tier (`disk: {path, size}`); off when the path is empty.
  std::string disk_path;
  uint64_t disk_bytes = 0;
};

// The legacy "no policy" key: 24 h DefaultTTL, key = what the default ForwardedValues forward
// (query strings and cookies; headers are never keyed without a policy).
inline CachePolicy legacy_default_cache_policy() {
  CachePolicy p;
  p.query_strings.behavior = KeyValues::Behavior::kAll;
  p.cookies.behavior = KeyValues::Behavior::kAll;
  return p;
}

// A response headers policy (cloudfront-spec.md 3.16), with the security headers already
// rendered to their field values. Applied to every response of the behavior, from the cache
// or the origin: remove first, then add.
struct ResponseHeadersPolicy {
  std::string name;
  std::string id;
  struct Header {
    std::string name;
    std::string value;
    bool override = false;  // replace the origin's value; otherwise only add when absent
  };
  struct Cors {
    std::vector<std::string> allow_origins;  // exact, "*", or "*.example.org" (lower case)
    std::vector<std::string> allow_headers;  // preflight only
    std::vector<std::string> allow_methods;  // preflight only; "ALL" expanded at load
    bool allow_credentials = false;
    std::vector<std::string> expose_headers;
    std::optional<int64_t> max_age_seconds;  // preflight only
    bool origin_override = false;
  };
  std::optional<Cors> cors;
  std::vector<Header> security;  // Strict-Transport-Security, X-Frame-Options, ...
  std::vector<Header> custom;
  std::vector<std::string> remove;
  bool server_timing = false;
  double server_timing_sampling_percent = 0;  // 0-100; `Pragma: server-timing` forces it
};

struct CacheBehavior {
  std::string path_pattern = "*";  // "*" for the default behavior
  std::string target_origin_id;    // an origin or an origin group
  ViewerProtocolPolicy viewer_protocol_policy = ViewerProtocolPolicy::kAllowAll;
  http::MethodSet allowed_methods = http::MethodSet::get_head();
  http::MethodSet cached_methods = http::MethodSet::get_head();
  // What is sent to the origin. With a cache policy this is computed at load time as the
  // union of the cache key and the origin request policy (spec 3.8).
  Forwarding forwarding;
  CachePolicy cache_policy = legacy_default_cache_policy();  // resolved, by value
  std::optional<OriginRequestPolicy> origin_request_policy;
  std::optional<ResponseHeadersPolicy> response_headers_policy;
  bool compress = false;
};

struct CustomErrorResponse {
  int error_code = 0;
  std::string response_page_path;  // empty: only the caching TTL is customised
  int response_code = 0;           // 0: keep the original status
  Duration error_caching_min_ttl = 10s;
};

// Standard access logging of one distribution (CloudFront's `Logging`; the file itself is
// server-wide, `server.access_log`).
struct DistributionLogging {
  std::optional<bool> enabled;  // unset: on when server.access_log names a file
  bool include_cookies = false;
  int sampling_percent = 100;  // 1-100, as CloudFront's real-time logs' SamplingRate
};

struct Distribution {
  std::string id = "default";
  DistributionLogging logging;
  std::vector<std::string> aliases;  // Host names routed here (lower case)
  bool enabled = true;
  std::string default_root_object;  // without leading '/'
  // CacheTagConfig.HeaderName: an origin response field holding comma-separated cache tags
  // (besides Surrogate-Key and Cache-Tag, always read); empty: none.
  std::string cache_tag_header;
  std::vector<Origin> origins;
  std::vector<OriginGroup> origin_groups;
  CacheBehavior default_behavior;
  std::vector<CacheBehavior> behaviors;  // in precedence order
  std::vector<CustomErrorResponse> custom_error_responses;

  const Origin* find_origin(std::string_view id) const;
  const OriginGroup* find_group(std::string_view id) const;
};

// Viewer TLS on one listen address (native YAML `server.listen[].tls`).
struct ListenTls {
  struct Certificate {
    std::string cert;  // PEM certificate and chain (absolute after load)
    std::string key;   // PEM private key
    std::string ocsp;  // optional DER OCSP response to staple
  };
  std::vector<Certificate> certificates;          // chosen by SNI; the first is the default
  std::string minimum_protocol = "TLSv1.2_2021";  // a CloudFront security policy name
  Duration ticket_key_rotation = std::chrono::hours(1);
  bool http2 = true;  // offer h2 by ALPN
};

struct ListenAddress {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::optional<ListenTls> tls{};  // unset: plain HTTP
};

struct Limits {
  size_t max_header_bytes = 20480;  // request line + headers (CloudFront's limit)
  size_t max_header_count = 100;
  size_t max_uri_bytes = 8192;
  uint64_t max_body_bytes = 1ull << 30;
  Duration header_timeout = 10s;  // from first byte of a request to end of its head
  Duration idle_timeout = 60s;    // keep-alive connection with no request in progress
  Duration body_timeout = 30s;    // gap between request body reads
  Duration send_timeout = 60s;    // gap between progress writing to a slow viewer
  Duration drain_timeout = 30s;   // graceful shutdown: longest wait for in-flight requests
};

// The access log file every distribution that logs writes to.
struct AccessLogSettings {
  enum class Format { kCloudFront, kJsonLines };
  std::string path;  // empty: no access log
  Format format = Format::kCloudFront;
  std::string edge_location = "edgefront";  // the x-edge-location field
  bool force_all = false;  // --access-log: every distribution logs, whatever its `logging` says
};

struct Server {
  std::vector<ListenAddress> listen = {ListenAddress{}};
  AccessLogSettings access_log;
  int workers = 0;  // 0 = one per core
  std::optional<ListenAddress> admin = ListenAddress{"127.0.0.1", 9901};
  std::string admin_token;  // empty: no auth (loopback only is then enforced)
  Limits limits;
  bool served_by_header = false;  // add X-Edgefront-Origin naming the origin that answered
  std::string via_name = "edgefront";
  CacheStorage cache;
};

struct Config {
  Server server;
  std::vector<Distribution> distributions;  // at least one
  std::vector<std::string> warnings;        // unsupported fields etc., each naming its path
  std::string source;                       // file it came from
};

}  // namespace edgefront::config
