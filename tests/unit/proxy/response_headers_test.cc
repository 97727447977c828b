// The response headers policy applied to a response head: remove-then-add, override, CORS
// (simple and preflight, wildcards, credentials), Server-Timing, as a table of cases.
#include "proxy/response_headers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgefront::proxy {
namespace {

using Policy = config::ResponseHeadersPolicy;
using Fields = std::vector<std::pair<std::string, std::string>>;

http::RequestHead request(http::Method method, const Fields& fields) {
  http::RequestHead r;
  r.method = method;
  for (const auto& [n, v] : fields) r.headers.add(n, v);
  return r;
}

http::ResponseHead response(const Fields& fields) {
  http::ResponseHead h;
  h.status = 200;
  for (const auto& [n, v] : fields) h.headers.add(n, v);
  return h;
}

std::optional<std::string> applied(const Policy& p, const http::RequestHead& req,
                                   const Fields& origin, std::string_view field,
                                   ServerTimingFacts timing = {}) {
  http::ResponseHead head = response(origin);
  apply_response_headers_policy(p, req, head, timing);
  return head.headers.get_combined(field);
}

TEST(ResponseHeaders, OverrideAndAddOnlyWhenAbsent) {
  Policy p;
  p.security = {{"Strict-Transport-Security", "max-age=100", false},
                {"X-Content-Type-Options", "nosniff", true}};
  p.custom = {{"X-Env", "prod", true}};
  http::RequestHead get = request(http::Method::kGet, {});
  EXPECT_EQ(applied(p, get, {}, "Strict-Transport-Security"), "max-age=100");
  EXPECT_EQ(
      applied(p, get, {{"Strict-Transport-Security", "max-age=5"}}, "Strict-Transport-Security"),
      "max-age=5");
  EXPECT_EQ(applied(p, get, {{"X-Content-Type-Options", "other"}}, "X-Content-Type-Options"),
            "nosniff");
  EXPECT_EQ(applied(p, get, {{"X-Env", "a"}, {"X-Env", "b"}}, "X-Env"), "prod");
}

TEST(ResponseHeaders, RemoveFirstThenAdd) {
  Policy p;
  p.remove = {"Server", "X-Powered-By"};
  p.custom = {{"Server", "edge", false}};
  http::RequestHead get = request(http::Method::kGet, {});
  Fields origin = {{"Server", "apache"}, {"X-Powered-By", "php"}};
  EXPECT_EQ(applied(p, get, origin, "Server"), "edge");
  EXPECT_EQ(applied(p, get, origin, "X-Powered-By"), std::nullopt);
}

struct CorsCase {
  const char* name;
  std::vector<std::string> allow_origins;
  bool credentials;
  http::Method method;
  Fields request;
  Fields origin_response;
  bool origin_override;
  std::string field;
  std::optional<std::string> expected;
};

class Cors : public ::testing::TestWithParam<CorsCase> {};

TEST_P(Cors, Table) {
  const CorsCase& c = GetParam();
  Policy p;
  Policy::Cors cors;
  cors.allow_origins = c.allow_origins;
  cors.allow_credentials = c.credentials;
  cors.allow_methods = {"GET", "POST"};
  cors.allow_headers = {"X-Custom"};
  cors.expose_headers = {"X-Trace"};
  cors.max_age_seconds = 600;
  cors.origin_override = c.origin_override;
  p.cors = cors;
  EXPECT_EQ(applied(p, request(c.method, c.request), c.origin_response, c.field), c.expected)
      << c.name;
}

const Fields kPreflight = {{"Origin", "https://www.example.com"},
                           {"Access-Control-Request-Method", "POST"}};

INSTANTIATE_TEST_SUITE_P(Rules, Cors,
                         ::testing::Values(CorsCase{"any origin",
                                                    {"*"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://a.test"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Origin",
                                                    "*"},
                                           CorsCase{"no Origin: not a CORS request",
                                                    {"*"},
                                                    false,
                                                    http::Method::kGet,
                                                    {},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Origin",
                                                    std::nullopt},
                                           CorsCase{"exact origin echoed",
                                                    {"https://www.example.com"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://www.example.com"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Origin",
                                                    "https://www.example.com"},
                                           CorsCase{"echo adds Vary: Origin",
                                                    {"https://www.example.com"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://www.example.com"}},
                                                    {{"Vary", "Accept-Encoding"}},
                                                    false,
                                                    "Vary",
                                                    "Accept-Encoding, Origin"},
                                           CorsCase{"other origin refused",
                                                    {"https://www.example.com"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://evil.test"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Origin",
                                                    std::nullopt},
                                           CorsCase{"wildcard subdomain",
                                                    {"https://*.example.org"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://a.b.example.org:8443"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Origin",
                                                    "https://a.b.example.org:8443"},
                                           CorsCase{"wildcard needs a subdomain",
                                                    {"https://*.example.org"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://example.org"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Origin",
                                                    std::nullopt},
                                           CorsCase{"wildcard checks the scheme",
                                                    {"https://*.example.org"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "http://a.example.org"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Origin",
                                                    std::nullopt},
                                           CorsCase{"credentials",
                                                    {"https://www.example.com"},
                                                    true,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://www.example.com"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Credentials",
                                                    "true"},
                                           CorsCase{"expose on simple requests",
                                                    {"*"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://a.test"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Expose-Headers",
                                                    "X-Trace"},
                                           CorsCase{"no methods on simple requests",
                                                    {"*"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://a.test"}},
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Methods",
                                                    std::nullopt},
                                           CorsCase{"preflight methods",
                                                    {"*"},
                                                    false,
                                                    http::Method::kOptions,
                                                    kPreflight,
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Methods",
                                                    "GET, POST"},
                                           CorsCase{"preflight headers",
                                                    {"*"},
                                                    false,
                                                    http::Method::kOptions,
                                                    kPreflight,
                                                    {},
                                                    false,
                                                    "Access-Control-Allow-Headers",
                                                    "X-Custom"},
                                           CorsCase{"preflight max age",
                                                    {"*"},
                                                    false,
                                                    http::Method::kOptions,
                                                    kPreflight,
                                                    {},
                                                    false,
                                                    "Access-Control-Max-Age",
                                                    "600"},
                                           CorsCase{"origin's CORS kept without override",
                                                    {"*"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://a.test"}},
                                                    {{"Access-Control-Allow-Origin", "https://o"}},
                                                    false,
                                                    "Access-Control-Allow-Origin",
                                                    "https://o"},
                                           CorsCase{"origin's CORS replaced with override",
                                                    {"*"},
                                                    false,
                                                    http::Method::kGet,
                                                    {{"Origin", "https://a.test"}},
                                                    {{"Access-Control-Allow-Origin", "https://o"}},
                                                    true,
                                                    "Access-Control-Allow-Origin",
                                                    "*"}));

TEST(ResponseHeaders, ServerTiming) {
  Policy p;
  p.server_timing = true;
  http::RequestHead get = request(http::Method::kGet, {});
  http::RequestHead forced = request(http::Method::kGet, {{"Pragma", "no-cache, server-timing"}});
  ServerTimingFacts sampled{true, std::chrono::microseconds(2500)};
  // Not sampled and not asked for: nothing.
  EXPECT_EQ(applied(p, get, {{"X-Cache", "Hit from edgefront"}}, "Server-Timing"), std::nullopt);
  // Pragma forces it even at a 0% rate.
  EXPECT_EQ(applied(p, forced, {{"X-Cache", "Hit from edgefront"}}, "Server-Timing"),
            "cdn-cache-hit,cdn-pop;desc=\"edgefront\",cdn-downstream-fbl;dur=0");
  // A hit carries only the edge's metrics; a miss merges the origin's.
  Fields hit = {{"X-Cache", "Hit from edgefront"}, {"Server-Timing", "db;dur=5"}};
  EXPECT_EQ(applied(p, get, hit, "Server-Timing", sampled),
            "cdn-cache-hit,cdn-pop;desc=\"edgefront\",cdn-downstream-fbl;dur=2");
  Fields miss = {{"X-Cache", "Miss from edgefront"}, {"Server-Timing", "db;dur=5"}};
  EXPECT_EQ(applied(p, get, miss, "Server-Timing", sampled),
            "db;dur=5,cdn-cache-miss,cdn-pop;desc=\"edgefront\",cdn-downstream-fbl;dur=2");
  Fields refresh = {{"X-Cache", "RefreshHit from edgefront"}};
  EXPECT_EQ(applied(p, get, refresh, "Server-Timing", sampled),
            "cdn-cache-refresh,cdn-pop;desc=\"edgefront\",cdn-downstream-fbl;dur=2");
}

}  // namespace
}  // namespace edgefront::proxy
