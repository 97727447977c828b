// edgefront's native YAML: the full and minimal examples, and a table of bad inputs with the
// exact error each produces.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/loader.h"

namespace edgefront::config {
namespace {

const std::string kExamples = EDGEFRONT_SOURCE_DIR "/examples";

// Inline configs are loaded as if they lived in examples/, so `directory: site/` resolves.
LoadResult load(const std::string& text) {
  return load_config_text(text, kExamples + "/inline.yaml");
}

TEST(NativeYamlTest, MinimalConfig) {
  LoadResult r = load(R"(
distribution:
  origins:
    - id: web
      domain_name: 127.0.0.1
  default_cache_behavior:
    target_origin_id: web
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty());
  ASSERT_EQ(r.config.distributions.size(), 1u);
  const Distribution& d = r.config.distributions[0];
  EXPECT_EQ(d.id, "default");
  EXPECT_TRUE(d.enabled);
  ASSERT_EQ(d.origins.size(), 1u);
  EXPECT_EQ(d.origins[0].domain_name, "127.0.0.1");
  EXPECT_EQ(d.origins[0].http_port, 80);
  EXPECT_EQ(d.origins[0].protocol_policy, OriginProtocolPolicy::kHttpOnly);
  EXPECT_EQ(d.default_behavior.path_pattern, "*");
  EXPECT_EQ(d.default_behavior.allowed_methods, http::MethodSet::get_head());
  EXPECT_EQ(d.default_behavior.forwarding.headers, Forwarding::Headers::kAll);
  // Server defaults.
  const Server& s = r.config.server;
  ASSERT_EQ(s.listen.size(), 1u);
  EXPECT_EQ(s.listen[0].host, "127.0.0.1");
  EXPECT_EQ(s.listen[0].port, 8080);
  ASSERT_TRUE(s.admin.has_value());
  EXPECT_EQ(s.admin->port, 9901);
  EXPECT_FALSE(s.served_by_header);
  EXPECT_EQ(s.via_name, "edgefront");
}

TEST(NativeYamlTest, FullExampleFile) {
  LoadResult r = load_config_file(kExamples + "/edgefront-full.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);

  const Server& s = r.config.server;
  ASSERT_EQ(s.listen.size(), 2u);
  EXPECT_EQ(s.listen[0].host, "127.0.0.1");
  EXPECT_EQ(s.listen[1].host, "::1");
  EXPECT_EQ(s.listen[1].port, 8080);
  EXPECT_EQ(s.workers, 0);
  ASSERT_TRUE(s.admin.has_value());
  EXPECT_EQ(s.admin->host, "127.0.0.1");
  EXPECT_EQ(s.admin->port, 9901);
  EXPECT_EQ(s.limits.max_header_bytes, 20480u);
  EXPECT_EQ(s.limits.max_body_bytes, 1073741824u);
  EXPECT_EQ(s.limits.header_timeout, 10s);
  EXPECT_EQ(s.limits.drain_timeout, 30s);

  ASSERT_EQ(r.config.distributions.size(), 1u);
  const Distribution& d = r.config.distributions[0];
  EXPECT_EQ(d.id, "main");
  EXPECT_EQ(d.aliases, (std::vector<std::string>{"www.example.com", "*.example.org"}));
  EXPECT_EQ(d.default_root_object, "index.html");
  ASSERT_EQ(d.origins.size(), 3u);
  EXPECT_TRUE(d.origins[0].is_directory());
  EXPECT_EQ(d.origins[0].directory, kExamples + "/site");
  const Origin& app = d.origins[1];
  EXPECT_EQ(app.domain_name, "127.0.0.1");
  EXPECT_EQ(app.http_port, 8081);
  EXPECT_EQ(app.https_port, 8443);
  EXPECT_EQ(app.protocol_policy, OriginProtocolPolicy::kHttpOnly);
  EXPECT_EQ(app.ssl_protocols, (std::vector<std::string>{"TLSv1.2"}));
  EXPECT_EQ(app.origin_path, "/prod");
  ASSERT_EQ(app.custom_headers.size(), 1u);
  EXPECT_EQ(app.custom_headers[0].name, "X-Origin-Secret");
  EXPECT_EQ(app.custom_headers[0].value, "s3cr3t");
  EXPECT_EQ(app.connection_attempts, 3);
  EXPECT_EQ(app.connection_timeout, 10s);
  EXPECT_EQ(app.read_timeout, 30s);
  EXPECT_EQ(app.keepalive_timeout, 5s);
  EXPECT_FALSE(app.forward_viewer_host);

  ASSERT_EQ(d.origin_groups.size(), 1u);
  EXPECT_EQ(d.origin_groups[0].member_origin_ids, (std::vector<std::string>{"bucket", "backup"}));
  EXPECT_EQ(d.origin_groups[0].failover_status_codes, (std::vector<int>{500, 502, 503, 504}));

  EXPECT_EQ(s.cache.memory_bytes, 256ull << 20);
  EXPECT_EQ(s.cache.serve_stale_after, 0s);

  EXPECT_EQ(d.default_behavior.target_origin_id, "site");
  const CachePolicy& assets = d.default_behavior.cache_policy;
  EXPECT_EQ(assets.name, "static-assets");
  EXPECT_EQ(assets.default_ttl, 24h);
  EXPECT_EQ(assets.max_ttl, 8760h);
  EXPECT_EQ(assets.query_strings.behavior, KeyValues::Behavior::kWhitelist);
  EXPECT_EQ(assets.query_strings.names, (std::vector<std::string>{"v"}));
  EXPECT_TRUE(assets.accept_encoding_gzip);
  EXPECT_TRUE(assets.accept_encoding_brotli);
  // Only the keyed query string goes to the origin.
  EXPECT_TRUE(d.default_behavior.forwarding.query_string);
  EXPECT_EQ(d.default_behavior.forwarding.query_string_names, (std::vector<std::string>{"v"}));
  EXPECT_EQ(d.default_behavior.forwarding.cookies, Forwarding::Cookies::kNone);
  EXPECT_EQ(d.default_behavior.forwarding.headers, Forwarding::Headers::kDefault);
  ASSERT_EQ(d.behaviors.size(), 3u);
  const CacheBehavior& account = d.behaviors[1];
  EXPECT_EQ(account.cache_policy.name, "CachingDisabled");
  ASSERT_TRUE(account.origin_request_policy.has_value());
  EXPECT_EQ(account.origin_request_policy->name, "api-forwarding");
  EXPECT_EQ(account.forwarding.header_names, (std::vector<std::string>{"Accept-Language"}));
  EXPECT_EQ(account.forwarding.cookie_names, (std::vector<std::string>{"session"}));
  EXPECT_TRUE(account.forwarding.query_string_names.empty());
  EXPECT_TRUE(d.behaviors[2].cache_policy.honour_origin);
  const CacheBehavior& api = d.behaviors[0];
  EXPECT_EQ(api.path_pattern, "/api/*");
  EXPECT_EQ(api.target_origin_id, "app");
  EXPECT_EQ(api.viewer_protocol_policy, ViewerProtocolPolicy::kRedirectToHttps);
  EXPECT_EQ(api.allowed_methods, http::MethodSet::all_seven());
  EXPECT_EQ(api.cached_methods, http::MethodSet::get_head_options());
  EXPECT_FALSE(api.forwarding.query_string);
  EXPECT_EQ(api.forwarding.cookies, Forwarding::Cookies::kWhitelist);
  EXPECT_EQ(api.forwarding.cookie_names, (std::vector<std::string>{"session"}));
  EXPECT_EQ(api.forwarding.headers, Forwarding::Headers::kWhitelist);
  EXPECT_EQ(api.forwarding.header_names,
            (std::vector<std::string>{"Authorization", "Accept-Language"}));

  ASSERT_EQ(d.custom_error_responses.size(), 2u);
  EXPECT_EQ(d.custom_error_responses[0].error_code, 404);
  EXPECT_EQ(d.custom_error_responses[0].response_page_path, "/404.html");
  EXPECT_EQ(d.custom_error_responses[0].response_code, 404);
  EXPECT_EQ(d.custom_error_responses[0].error_caching_min_ttl, 10s);
  EXPECT_EQ(d.custom_error_responses[1].error_caching_min_ttl, 0s);
}

TEST(NativeYamlTest, DemoExampleFileMatchesDefaultConfig) {
  LoadResult file = load_config_file(kExamples + "/edgefront.yaml");
  LoadResult builtin = default_config(EDGEFRONT_SOURCE_DIR);
  ASSERT_TRUE(file.ok()) << ::testing::PrintToString(file.problems.errors);
  ASSERT_TRUE(builtin.ok()) << ::testing::PrintToString(builtin.problems.errors);
  const Distribution& a = file.config.distributions[0];
  const Distribution& b = builtin.config.distributions[0];
  ASSERT_EQ(a.origins.size(), b.origins.size());
  for (size_t i = 0; i < a.origins.size(); ++i) {
    EXPECT_EQ(a.origins[i].id, b.origins[i].id);
    EXPECT_EQ(a.origins[i].directory, b.origins[i].directory);
  }
  EXPECT_EQ(a.origin_groups[0].failover_status_codes, b.origin_groups[0].failover_status_codes);
  EXPECT_EQ(a.default_behavior.allowed_methods, b.default_behavior.allowed_methods);
  EXPECT_EQ(file.config.server.served_by_header, builtin.config.server.served_by_header);
}

TEST(NativeYamlTest, SeveralDistributions) {
  LoadResult r = load(R"(
server:
  listen: "[::1]:0"
  admin: off
distributions:
  - id: one
    aliases: [A.example.com]
    origins: [{id: o, directory: site}]
    default_cache_behavior: {target_origin_id: o}
  - id: two
    enabled: false
    origins: [{id: o, directory: site-backup/}]
    default_cache_behavior: {target_origin_id: o}
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  ASSERT_EQ(r.config.distributions.size(), 2u);
  EXPECT_EQ(r.config.distributions[0].aliases, std::vector<std::string>{"a.example.com"});
  EXPECT_FALSE(r.config.distributions[1].enabled);
  EXPECT_EQ(r.config.distributions[1].origins[0].directory, kExamples + "/site-backup");
  EXPECT_FALSE(r.config.server.admin.has_value());
  EXPECT_EQ(r.config.server.listen[0].host, "::1");
  EXPECT_EQ(r.config.server.listen[0].port, 0);
}

TEST(NativeYamlTest, DurationsAcceptUnitsAndPlainSeconds) {
  LoadResult r = load(R"(
server:
  limits: {header_timeout: 250ms, idle_timeout: 2m, body_timeout: 15, drain_timeout: 0}
distribution:
  origins:
    - {id: web, domain_name: 127.0.0.1, connection_timeout: 1500ms, read_timeout: "45",
       keepalive_timeout: 0s}
  default_cache_behavior: {target_origin_id: web}
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const Limits& l = r.config.server.limits;
  EXPECT_EQ(l.header_timeout, 250ms);
  EXPECT_EQ(l.idle_timeout, 120s);
  EXPECT_EQ(l.body_timeout, 15s);
  EXPECT_EQ(l.drain_timeout, 0s);
  const Origin& o = r.config.distributions[0].origins[0];
  EXPECT_EQ(o.connection_timeout, 1500ms);
  EXPECT_EQ(o.read_timeout, 45s);
  EXPECT_EQ(o.keepalive_timeout, 0s);
}

TEST(NativeYamlTest, GroupWritesNeedNoWarningInNativeFormat) {
  LoadResult r = load(R"(
distribution:
  origins: [{id: a, directory: site}, {id: b, directory: site-backup}]
  origin_groups: [{id: g, members: [a, b], failover_status_codes: [429, 503]}]
  default_cache_behavior:
    target_origin_id: g
    allowed_methods: [GET, HEAD, POST]
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
}

TEST(NativeYamlTest, CollectsAllErrors) {
  LoadResult r = load(R"(
distributions:
  - origins:
      - {id: a, domain_name: 127.0.0.1, http_port: 0}
      - {id: b, domain_name: 127.0.0.1, htp_port: 81}
      - {id: c, domain_name: "127.0.0.1", http_port: 70000}
    default_cache_behavior: {target_origin_id: z}
)");
  EXPECT_EQ(r.problems.errors,
            (std::vector<std::string>{
                "distributions[0].origins[0].http_port: expected integer 1-65535",
                "distributions[0].origins[1].htp_port: unknown field (did you mean "
                "\"http_port\"?)",
                "distributions[0].origins[2].http_port: expected integer 1-65535",
                "distributions[0].default_cache_behavior.target_origin_id: no origin or origin "
                "group named \"z\""}));
}

struct BadCase {
  const char* name;
  std::string text;
  std::string error;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

// A valid single distribution with `origins`, `behavior` and extra distribution keys swapped in.
std::string dist(const std::string& origins = "[{id: a, directory: site}]",
                 const std::string& behavior = "{target_origin_id: a}",
                 const std::string& extra = "") {
  return "distribution:\n  origins: " + origins + "\n  default_cache_behavior: " + behavior + "\n" +
         extra;
}

std::string origin(const std::string& fields) {
  return "[{id: a, directory: site}, {id: b, " + fields + "}]";
}

const std::string kO1 = "distribution.origins[1].";
const std::string kDcb = "distribution.default_cache_behavior.";

std::vector<BadCase> bad_cases() {
  return {
      {"HttpPortType", dist(origin("domain_name: h, http_port: eighty")),
       kO1 + "http_port: expected integer 1-65535"},
      {"HttpPortRange", dist(origin("domain_name: h, http_port: 65536")),
       kO1 + "http_port: expected integer 1-65535"},
      {"HttpPortList", dist(origin("domain_name: h, http_port: [80]")),
       kO1 + "http_port: expected integer 1-65535"},
      {"ProtocolPolicyEnum", dist(origin("domain_name: h, protocol_policy: tcp")),
       kO1 + "protocol_policy: expected one of http-only|https-only|match-viewer"},
      {"UnknownOriginKey", dist(origin("domain_name: h, read_timout: 5s")),
       kO1 + "read_timout: unknown field (did you mean \"read_timeout\"?)"},
      {"UnknownTopLevelKey", dist() + "servr: {}\n",
       "servr: unknown field (did you mean \"server\"?)"},
      {"UnknownServerKey", "server: {bogus: 1}\n" + dist(), "server.bogus: unknown field"},
      {"OriginIdMissing", dist("[{id: a, directory: site}, {domain_name: h}]"),
       kO1 + "id: required"},
      {"OriginIdEmpty", dist("[{id: a, directory: site}, {id: '', domain_name: h}]"),
       kO1 + "id: required"},
      {"OriginNeitherKind", dist(origin("origin_path: /x")),
       "distribution.origins[1]: required: directory or domain_name"},
      {"OriginBothKinds", dist(origin("domain_name: h, directory: site")),
       "distribution.origins[1]: give either directory or domain_name, not both"},
      {"DirectoryMissing", dist(origin("directory: no-such-dir")),
       kO1 + "directory: directory \"" + kExamples + "/no-such-dir\" does not exist"},
      {"DirectoryIsAFile", dist(origin("directory: edgefront.yaml")),
       kO1 + "directory: \"" + kExamples + "/edgefront.yaml\" is not a directory"},
      {"PortOnDirectoryOrigin", dist(origin("directory: site, http_port: 80")),
       kO1 + "http_port: only allowed with domain_name"},
      {"DomainNameWithPort", dist(origin("domain_name: \"h:8080\"")),
       kO1 + "domain_name: expected a bare host name (ports come from http_port/https_port)"},
      {"BadOriginPath", dist(origin("domain_name: h, origin_path: prod/")),
       kO1 + "origin_path: expected a path starting with '/' and not ending with '/'"},
      {"ForbiddenCustomHeader", dist(origin("domain_name: h, custom_headers: {X-Ok: 1, Via: x}")),
       kO1 + "custom_headers.Via: \"Via\" cannot be set as an origin custom header"},
      {"ConnectionTimeoutRange", dist(origin("domain_name: h, connection_timeout: 61s")),
       kO1 + "connection_timeout: expected duration 1ms-60s"},
      {"ReadTimeoutMalformed", dist(origin("domain_name: h, read_timeout: 5 minutes")),
       kO1 + "read_timeout: expected duration 1ms-10m"},
      {"ConnectionAttemptsRange", dist(origin("domain_name: h, connection_attempts: 0")),
       kO1 + "connection_attempts: expected integer 1-3"},
      {"DuplicateOriginId", dist("[{id: a, directory: site}, {id: a, directory: site-backup}]"),
       "distribution.origins[1].id: duplicate id \"a\""},
      {"NoOrigins", dist("[]"), "distribution.origins: at least one origin required"},
      {"OriginsMissing", "distribution:\n  default_cache_behavior: {target_origin_id: a}\n",
       "distribution.origins: required"},
      {"DefaultBehaviorMissing", "distribution:\n  origins: [{id: a, directory: site}]\n",
       "distribution.default_cache_behavior: required"},
      {"NoDistributions", "server: {workers: 2}\n", "distributions: required"},
      {"DanglingTarget", dist(origin("directory: site"), "{target_origin_id: c}"),
       kDcb + "target_origin_id: no origin or origin group named \"c\""},
      {"ViewerProtocolPolicyEnum",
       dist(origin("directory: site"), "{target_origin_id: a, viewer_protocol_policy: https}"),
       kDcb + "viewer_protocol_policy: expected one of allow-all|https-only|redirect-to-https"},
      {"AllowedMethodsWithoutHead",
       dist(origin("directory: site"), "{target_origin_id: a, allowed_methods: [GET, POST]}"),
       kDcb + "allowed_methods: must include GET and HEAD"},
      {"AllowedMethodsUnknown",
       dist(origin("directory: site"), "{target_origin_id: a, allowed_methods: [GET, HEAD, get]}"),
       kDcb + "allowed_methods[2]: expected one of GET|HEAD|OPTIONS|PUT|POST|PATCH|DELETE"},
      {"CachedMethodsBadSet",
       dist(origin("directory: site"),
            "{target_origin_id: a, allowed_methods: [GET, HEAD, POST], cached_methods: [GET, HEAD, "
            "POST]}"),
       kDcb + "cached_methods: expected [GET, HEAD] or [GET, HEAD, OPTIONS]"},
      {"PathPatternOnDefault",
       dist(origin("directory: site"), "{target_origin_id: a, path_pattern: '*'}"),
       kDcb + "path_pattern: not allowed on the default behavior"},
      {"BehaviorPatternMissing",
       dist(origin("directory: site"), "{target_origin_id: a}",
            "  cache_behaviors: [{target_origin_id: a}]\n"),
       "distribution.cache_behaviors[0].path_pattern: required"},
      {"CookieNamesWithoutWhitelist",
       dist(origin("directory: site"),
            "{target_origin_id: a, forwarding: {cookies: all, cookie_names: [sid]}}"),
       kDcb + "forwarding.cookie_names: only allowed with cookies: whitelist"},
      {"HeaderWhitelistWithoutNames",
       dist(origin("directory: site"), "{target_origin_id: a, forwarding: {headers: whitelist}}"),
       kDcb + "forwarding.header_names: required when headers is whitelist"},
      {"GroupMemberDangling",
       dist(origin("directory: site"), "{target_origin_id: g}",
            "  origin_groups: [{id: g, members: [a, c], failover_status_codes: [500]}]\n"),
       "distribution.origin_groups[0].members[1]: no origin named \"c\""},
      {"GroupMemberIsGroup",
       dist(origin("directory: site"), "{target_origin_id: g}",
            "  origin_groups: [{id: g, members: [a, b], failover_status_codes: [500]},\n"
            "                  {id: h, members: [g, b], failover_status_codes: [500]}]\n"),
       "distribution.origin_groups[1].members[0]: \"g\" is an origin group; members must be "
       "origins"},
      {"GroupOneMember",
       dist(origin("directory: site"), "{target_origin_id: g}",
            "  origin_groups: [{id: g, members: [a], failover_status_codes: [500]}]\n"),
       "distribution.origin_groups[0].members: at least 2 members required"},
      {"GroupCodesMissing",
       dist(origin("directory: site"), "{target_origin_id: g}",
            "  origin_groups: [{id: g, members: [a, b]}]\n"),
       "distribution.origin_groups[0].failover_status_codes: required"},
      {"GroupCodeRange",
       dist(origin("directory: site"), "{target_origin_id: g}",
            "  origin_groups: [{id: g, members: [a, b], failover_status_codes: [200]}]\n"),
       "distribution.origin_groups[0].failover_status_codes[0]: expected integer 400-599"},
      {"ErrorPageWithoutResponseCode",
       dist(origin("directory: site"), "{target_origin_id: a}",
            "  custom_error_responses: [{error_code: 404, response_page_path: /404.html}]\n"),
       "distribution.custom_error_responses[0].response_code: required when response_page_path "
       "is set"},
      {"ErrorCodeNotCustomisable",
       dist(origin("directory: site"), "{target_origin_id: a}",
            "  custom_error_responses: [{error_code: 418}]\n"),
       "distribution.custom_error_responses[0].error_code: expected one of "
       "400|403|404|405|414|416|500|501|502|503|504"},
      {"DefaultRootObjectSlash", dist() + "  default_root_object: /index.html\n",
       "distribution.default_root_object: must not start with '/'"},
      {"EnabledType", dist() + "  enabled: maybe\n", "distribution.enabled: expected boolean"},
      {"ListenHostName", "server: {listen: localhost:8080}\n" + dist(),
       "server.listen: expected host:port with an IPv4 address or a bracketed IPv6 address, e.g. "
       "127.0.0.1:8080"},
      {"ListenBadPortInList", "server: {listen: [127.0.0.1:80, 127.0.0.1:99999]}\n" + dist(),
       "server.listen[1]: expected host:port with an IPv4 address or a bracketed IPv6 address, "
       "e.g. 127.0.0.1:8080"},
      {"AdminPublicWithoutToken", "server: {admin: 0.0.0.0:9901}\n" + dist(),
       "server.admin_token: required when admin listens on a non-loopback address"},
      {"WorkersRange", "server: {workers: -1}\n" + dist(),
       "server.workers: expected integer 0-1024"},
      {"LimitsDuration", "server: {limits: {idle_timeout: 0}}\n" + dist(),
       "server.limits.idle_timeout: expected duration 1ms-1h"},
      {"BothDistributionForms", dist() + "distributions: []\n",
       "distribution: not allowed together with distributions"},
      {"DuplicateDistributionIds",
       "distributions:\n"
       "  - {origins: [{id: a, directory: site}], default_cache_behavior: {target_origin_id: a}}\n"
       "  - {origins: [{id: a, directory: site}], default_cache_behavior: {target_origin_id: a}}\n",
       "distributions[1].id: duplicate id \"default\""},
      {"AliasInTwoDistributions",
       "distributions:\n"
       "  - {id: x, aliases: [a.example], origins: [{id: a, directory: site}],\n"
       "     default_cache_behavior: {target_origin_id: a}}\n"
       "  - {id: y, aliases: [A.example], origins: [{id: a, directory: site}],\n"
       "     default_cache_behavior: {target_origin_id: a}}\n",
       "distributions[1].aliases: \"a.example\" is already an alias of distribution \"x\""},
      {"DuplicateKey", dist() + "  enabled: true\n  enabled: false\n",
       "distribution.enabled: duplicate key"},
      {"TopLevelNotAMapping", "- 1\n- 2\n",
       kExamples + "/inline.yaml: expected a mapping at the top level"},
  };
}

class NativeBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(NativeBadInputTest, ReportsExactlyOneErrorWithPath) {
  LoadResult r = load(GetParam().text);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.problems.errors, std::vector<std::string>{GetParam().error});
}

INSTANTIATE_TEST_SUITE_P(Table, NativeBadInputTest, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace edgefront::config
