// Response headers policies in both formats: managed ones by name and id (JSON and YAML),
// native response_headers_policies with every section, and the errors a bad one gets.
#include "config/response_headers_policies.h"

#include <gtest/gtest.h>

#include <string>

#include "config/loader.h"

namespace edgefront::config {
namespace {

const std::string kExamples = EDGEFRONT_SOURCE_DIR "/examples";

LoadResult load_yaml(const std::string& top, const std::string& behavior) {
  std::string text = "server: {admin: 'off'}\n" + top + R"(
distribution:
  origins: [{id: app, domain_name: 127.0.0.1}]
  default_cache_behavior:
    target_origin_id: app
)" + behavior;
  return load_config_text(text, kExamples + "/inline.yaml");
}

const std::optional<ResponseHeadersPolicy>& policy_of(const LoadResult& r) {
  return r.config.distributions.at(0).default_behavior.response_headers_policy;
}

const ResponseHeadersPolicy::Header* find(const std::vector<ResponseHeadersPolicy::Header>& hs,
                                          std::string_view name) {
  for (const auto& h : hs) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

TEST(ResponseHeadersPolicies, ManagedByNameAndId) {
  const ResponseHeadersPolicy* by_name =
      find_managed_response_headers_policy("SecurityHeadersPolicy");
  const ResponseHeadersPolicy* by_id =
      find_managed_response_headers_policy("67f7725c-6f97-4210-82d7-5512b31e9d03");
  ASSERT_NE(by_name, nullptr);
  EXPECT_EQ(by_name, by_id);
  const auto* nosniff = find(by_name->security, "X-Content-Type-Options");
  ASSERT_NE(nosniff, nullptr);
  EXPECT_TRUE(nosniff->override);  // always nosniff
  const auto* hsts = find(by_name->security, "Strict-Transport-Security");
  ASSERT_NE(hsts, nullptr);
  EXPECT_FALSE(hsts->override);  // the origin's own HSTS wins
  EXPECT_FALSE(by_name->cors);
  EXPECT_EQ(managed_response_headers_policies().size(), 5u);
  const ResponseHeadersPolicy* preflight =
      find_managed_response_headers_policy("5cc3b908-e619-4b99-88e5-2cf7f45965bd");
  ASSERT_NE(preflight, nullptr);
  ASSERT_TRUE(preflight->cors);
  EXPECT_EQ(preflight->cors->allow_methods.size(), 7u);
  EXPECT_EQ(find_managed_response_headers_policy("nope"), nullptr);
}

TEST(ResponseHeadersPolicies, CloudFrontJsonManagedId) {
  std::string json = R"({"CallerReference": "r", "Comment": "", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "a", "DomainName": "a.example",
    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "ResponseHeadersPolicyId": "RHP"}})";
  auto with = [&](const std::string& id) {
    std::string text = json;
    text.replace(text.find("RHP"), 3, id);
    return load_config_text(text, "test.json");
  };
  LoadResult ok = with("e61eb60c-9c35-4d20-a928-2b84e02af89c");
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(ok.problems.errors);
  ASSERT_TRUE(policy_of(ok));
  EXPECT_EQ(policy_of(ok)->name, "CORS-and-SecurityHeadersPolicy");
  LoadResult bad = with("1111");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.problems.errors.at(0).find("DefaultCacheBehavior.ResponseHeadersPolicyId"),
            std::string::npos)
      << bad.problems.errors.at(0);
}

TEST(ResponseHeadersPolicies, NativeEverySection) {
  LoadResult r = load_yaml(R"(response_headers_policies:
  - name: site
    comment: everything
    security_headers:
      strict_transport_security: {max_age: 63072000, include_subdomains: true, preload: true, override: true}
      content_type_options: {override: true}
      frame_options: {value: DENY}
      referrer_policy: {value: same-origin, override: true}
      xss_protection: {protection: true, mode_block: true}
      content_security_policy: {value: "default-src 'self'"}
    cors:
      allow_origins: [https://www.example.com, "https://*.example.org"]
      allow_headers: [X-Custom]
      allow_methods: [GET, POST]
      allow_credentials: true
      expose_headers: [X-Trace]
      max_age: 600
      origin_override: true
    custom_headers:
      - {name: X-Served-By, value: edge, override: true}
    remove_headers: [Server, X-Powered-By]
    server_timing: {enabled: true, sampling_rate: 12.5}
)",
                           "    response_headers_policy: site\n");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const auto& p = policy_of(r);
  ASSERT_TRUE(p);
  const auto* hsts = find(p->security, "Strict-Transport-Security");
  ASSERT_NE(hsts, nullptr);
  EXPECT_EQ(hsts->value, "max-age=63072000; includeSubDomains; preload");
  EXPECT_TRUE(hsts->override);
  EXPECT_EQ(find(p->security, "X-Frame-Options")->value, "DENY");
  EXPECT_EQ(find(p->security, "Referrer-Policy")->value, "same-origin");
  EXPECT_EQ(find(p->security, "X-XSS-Protection")->value, "1; mode=block");
  EXPECT_EQ(find(p->security, "Content-Security-Policy")->value, "default-src 'self'");
  ASSERT_TRUE(p->cors);
  EXPECT_EQ(p->cors->allow_origins.size(), 2u);
  EXPECT_EQ(p->cors->max_age_seconds, 600);
  EXPECT_TRUE(p->cors->allow_credentials);
  EXPECT_EQ(p->custom.size(), 1u);
  EXPECT_EQ(p->remove.size(), 2u);
  EXPECT_TRUE(p->server_timing);
  EXPECT_DOUBLE_EQ(p->server_timing_sampling_percent, 12.5);
}

struct ErrorCase {
  std::string policy;
  std::string error;  // a substring of the first error
};

class ResponseHeadersPolicyErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ResponseHeadersPolicyErrors, ExactError) {
  LoadResult r = load_yaml("response_headers_policies:\n  - " + GetParam().policy + "\n",
                           "    response_headers_policy: p\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.problems.errors.at(0).find(GetParam().error), std::string::npos)
      << r.problems.errors.at(0);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ResponseHeadersPolicyErrors,
    ::testing::Values(
        ErrorCase{"{name: p, remove_headers: [Content-Length]}",
                  "response_headers_policies[0].remove_headers: Content-Length cannot be removed"},
        ErrorCase{"{name: p, custom_headers: [{name: X-Cache, value: x}]}",
                  "custom_headers[0].name: X-Cache cannot be set"},
        ErrorCase{"{name: p, custom_headers: [{name: 'bad name', value: x}]}",
                  "expected an HTTP header name"},
        ErrorCase{"{name: p, cors: {allow_origins: ['exa*mple.org']}}",
                  "cors.allow_origins: a wildcard is allowed only"},
        ErrorCase{"{name: p, cors: {allow_origins: ['*'], allow_credentials: true}}",
                  "cors.allow_credentials: cannot be true"},
        ErrorCase{"{name: p, cors: {allow_origins: ['*'], allow_methods: [TRACE]}}",
                  "cors.allow_methods: expected GET|POST"},
        ErrorCase{"{name: p, security_headers: {frame_options: {value: ALLOW}}}",
                  "security_headers.frame_options.value: expected one of DENY|SAMEORIGIN"},
        ErrorCase{"{name: p, security_headers: {strict_transport_security: {}}}",
                  "strict_transport_security.max_age: required"},
        ErrorCase{"{name: p, server_timing: {enabled: true, sampling_rate: 101}}",
                  "server_timing.sampling_rate: expected a number 0-100"},
        ErrorCase{"{name: SimpleCORS}", "duplicate name"},
        ErrorCase{"{name: p, colour: red}", "response_headers_policies[0].colour"},
        ErrorCase{"{name: q}",
                  "default_cache_behavior.response_headers_policy: unknown "
                  "response headers policy \"p\""}));

}  // namespace
}  // namespace edgefront::config
