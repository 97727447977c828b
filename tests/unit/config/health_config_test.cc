// Native YAML health settings: origins[].health_check and origin_groups[].selection /
// outlier_detection. Good configs, the defaults (also for CloudFront JSON, which has no such
// fields), and a table of bad inputs with the exact error each produces.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/loader.h"

namespace edgefront::config {
namespace {

const std::string kExamples = EDGEFRONT_SOURCE_DIR "/examples";

LoadResult load(const std::string& text) {
  return load_config_text(text, kExamples + "/inline.yaml");
}

// One distribution (list form, so paths start with "distributions[0]."): origin a is a
// directory, origin b an HTTP origin with `b_fields` added, group g over both with `g_fields`.
std::string config(const std::string& b_fields, const std::string& g_fields = "") {
  return "distributions:\n"
         "  - origins:\n"
         "      - {id: a, directory: site}\n"
         "      - {id: b, domain_name: 127.0.0.1" +
         (b_fields.empty() ? "" : ", " + b_fields) +
         "}\n"
         "    origin_groups:\n"
         "      - {id: g, members: [b, a], failover_status_codes: [502]" +
         (g_fields.empty() ? "" : ", " + g_fields) +
         "}\n"
         "    default_cache_behavior: {target_origin_id: g}\n";
}

const Origin& origin_b(const LoadResult& r) { return r.config.distributions.at(0).origins.at(1); }
const OriginGroup& group_g(const LoadResult& r) {
  return r.config.distributions.at(0).origin_groups.at(0);
}

TEST(HealthConfigTest, DefaultsWhenAbsent) {
  LoadResult r = load(config(""));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const HealthCheck& hc = origin_b(r).health_check;
  EXPECT_FALSE(hc.enabled);
  EXPECT_EQ(hc.protocol, HealthCheck::Protocol::kOrigin);
  EXPECT_EQ(hc.path, "/");
  EXPECT_EQ(hc.port, 0);
  EXPECT_EQ(hc.interval, 10s);
  EXPECT_EQ(hc.timeout, 2s);
  EXPECT_EQ(hc.healthy_threshold, 2);
  EXPECT_EQ(hc.unhealthy_threshold, 3);
  EXPECT_EQ(hc.expected_status_min, 200);
  EXPECT_EQ(hc.expected_status_max, 399);
  EXPECT_EQ(hc.body_contains, "");
  EXPECT_FALSE(r.config.distributions[0].origins[0].health_check.enabled);

  const OriginGroup& g = group_g(r);
  EXPECT_EQ(g.selection, OriginGroup::Selection::kHealthAware);
  EXPECT_TRUE(g.outlier_detection.enabled);
  EXPECT_EQ(g.outlier_detection.consecutive_failures, 5);
  EXPECT_EQ(g.outlier_detection.base_ejection, 10s);
  EXPECT_EQ(g.outlier_detection.max_ejection, 300s);
  EXPECT_EQ(g.outlier_detection.max_ejected_percent, 50);
}

TEST(HealthConfigTest, FullHealthCheck) {
  LoadResult r = load(
      config("health_check: {enabled: true, protocol: https, path: \"/health?deep=1\", port: 8443, "
             "interval: 30s, timeout: 1500ms, healthy_threshold: 1, unhealthy_threshold: 10, "
             "expected_status: 200-299, body_contains: \"ok\"}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty());
  const HealthCheck& hc = origin_b(r).health_check;
  EXPECT_TRUE(hc.enabled);
  EXPECT_EQ(hc.protocol, HealthCheck::Protocol::kHttps);
  EXPECT_EQ(hc.path, "/health?deep=1");
  EXPECT_EQ(hc.port, 8443);
  EXPECT_EQ(hc.interval, 30s);
  EXPECT_EQ(hc.timeout, 1500ms);
  EXPECT_EQ(hc.healthy_threshold, 1);
  EXPECT_EQ(hc.unhealthy_threshold, 10);
  EXPECT_EQ(hc.expected_status_min, 200);
  EXPECT_EQ(hc.expected_status_max, 299);
  EXPECT_EQ(hc.body_contains, "ok");
}

TEST(HealthConfigTest, EmptyBlockEnablesWithDefaults) {
  LoadResult r = load(config("health_check: {}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const HealthCheck& hc = origin_b(r).health_check;
  EXPECT_TRUE(hc.enabled);
  EXPECT_EQ(hc.path, "/");
  EXPECT_EQ(hc.interval, 10s);
}

TEST(HealthConfigTest, NullBlockIsAbsent) {
  LoadResult r = load(config("health_check: ~"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_FALSE(origin_b(r).health_check.enabled);
}

TEST(HealthConfigTest, EnabledFalseKeepsTheSettings) {
  LoadResult r = load(config("health_check: {enabled: false, path: /ping, interval: 5s}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const HealthCheck& hc = origin_b(r).health_check;
  EXPECT_FALSE(hc.enabled);
  EXPECT_EQ(hc.path, "/ping");
  EXPECT_EQ(hc.interval, 5s);
}

TEST(HealthConfigTest, SingleStatusAndLimits) {
  LoadResult r = load(
      config("health_check: {protocol: http, expected_status: 204, interval: 100ms, timeout: 10ms, "
             "port: 65535}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const HealthCheck& hc = origin_b(r).health_check;
  EXPECT_EQ(hc.protocol, HealthCheck::Protocol::kHttp);
  EXPECT_EQ(hc.expected_status_min, 204);
  EXPECT_EQ(hc.expected_status_max, 204);
  EXPECT_EQ(hc.interval, 100ms);
  EXPECT_EQ(hc.timeout, 10ms);
  EXPECT_EQ(hc.port, 65535);

  r = load(config("health_check: {expected_status: \"100-599\", interval: 10m, timeout: 60s}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(origin_b(r).health_check.expected_status_min, 100);
  EXPECT_EQ(origin_b(r).health_check.expected_status_max, 599);
  EXPECT_EQ(origin_b(r).health_check.interval, 10min);
}

TEST(HealthConfigTest, TcpCheck) {
  LoadResult r = load(config("health_check: {protocol: tcp, port: 5432}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(origin_b(r).health_check.protocol, HealthCheck::Protocol::kTcp);
  EXPECT_EQ(origin_b(r).health_check.port, 5432);
}

TEST(HealthConfigTest, FullOutlierDetection) {
  LoadResult r = load(
      config("",
             "selection: health-aware, outlier_detection: {enabled: true, consecutive_failures: 3, "
             "base_ejection: 500ms, max_ejection: 1h, max_ejected_percent: 100}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const OriginGroup& g = group_g(r);
  EXPECT_EQ(g.selection, OriginGroup::Selection::kHealthAware);
  EXPECT_TRUE(g.outlier_detection.enabled);
  EXPECT_EQ(g.outlier_detection.consecutive_failures, 3);
  EXPECT_EQ(g.outlier_detection.base_ejection, 500ms);
  EXPECT_EQ(g.outlier_detection.max_ejection, 1h);
  EXPECT_EQ(g.outlier_detection.max_ejected_percent, 100);
}

TEST(HealthConfigTest, OutlierDetectionOff) {
  for (const char* off : {"outlier_detection: off", "outlier_detection: false",
                          "outlier_detection: {enabled: false}"}) {
    LoadResult r = load(config("", off));
    ASSERT_TRUE(r.ok()) << off << ": " << ::testing::PrintToString(r.problems.errors);
    EXPECT_FALSE(group_g(r).outlier_detection.enabled) << off;
  }
}

TEST(HealthConfigTest, CloudFrontSelection) {
  LoadResult r = load(config("", "selection: cloudfront"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(group_g(r).selection, OriginGroup::Selection::kCloudFront);
  // Outlier detection may be written down as long as it is off.
  r = load(config("", "selection: cloudfront, outlier_detection: off"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
}

TEST(HealthConfigTest, EdgesOfRanges) {
  LoadResult r = load(config(
      "health_check: {path: \"/" + std::string(254, 'x') + "\", body_contains: \"" +
          std::string(255, 'y') + "\", healthy_threshold: 10, unhealthy_threshold: 1}",
      "outlier_detection: {consecutive_failures: 1000, base_ejection: 1h, max_ejection: 24h, "
      "max_ejected_percent: 0}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(origin_b(r).health_check.path.size(), 255u);
  EXPECT_EQ(origin_b(r).health_check.body_contains.size(), 255u);
  EXPECT_EQ(group_g(r).outlier_detection.max_ejection, 24h);
  EXPECT_EQ(group_g(r).outlier_detection.max_ejected_percent, 0);
  // Base equal to max is allowed (no growth).
  r = load(config("", "outlier_detection: {base_ejection: 300s}"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
}

// CloudFront JSON has no health fields: origins have no active check, groups are health-aware
// with the default outlier detection.
TEST(HealthConfigTest, CloudFrontJsonKeepsTheDefaults) {
  const std::string text = R"({"CallerReference": "r", "Comment": "", "Enabled": true,
  "Origins": {"Quantity": 2, "Items": [
    {"Id": "a", "DomainName": "a.example", "CustomOriginConfig":
      {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
    {"Id": "b", "DomainName": "b.example", "CustomOriginConfig":
      {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
  "OriginGroups": {"Quantity": 1, "Items": [{"Id": "g",
    "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [503]}},
    "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "b"}]}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "g", "ViewerProtocolPolicy": "allow-all",
    "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}}})";
  LoadResult r = load_config_text(text, "test.json");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  const Distribution& d = r.config.distributions[0];
  for (const Origin& o : d.origins) EXPECT_FALSE(o.health_check.enabled) << o.id;
  ASSERT_EQ(d.origin_groups.size(), 1u);
  const OriginGroup& g = d.origin_groups[0];
  EXPECT_EQ(g.selection, OriginGroup::Selection::kHealthAware);
  EXPECT_TRUE(g.outlier_detection.enabled);
  EXPECT_EQ(g.outlier_detection.consecutive_failures, 5);
  EXPECT_EQ(g.outlier_detection.base_ejection, 10s);
  EXPECT_EQ(g.outlier_detection.max_ejection, 300s);
  EXPECT_EQ(g.outlier_detection.max_ejected_percent, 50);
}

TEST(HealthConfigTest, FullExampleFileHasBothBlocks) {
  LoadResult r = load_config_file(kExamples + "/edgefront-full.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty()) << ::testing::PrintToString(r.config.warnings);
  const Distribution& d = r.config.distributions.at(0);
  const Origin* app = d.find_origin("app");
  ASSERT_NE(app, nullptr);
  const HealthCheck& hc = app->health_check;
  EXPECT_TRUE(hc.enabled);
  EXPECT_EQ(hc.protocol, HealthCheck::Protocol::kOrigin);
  EXPECT_EQ(hc.path, "/health");
  EXPECT_EQ(hc.port, 8081);
  EXPECT_EQ(hc.interval, 10s);
  EXPECT_EQ(hc.timeout, 2s);
  EXPECT_EQ(hc.healthy_threshold, 2);
  EXPECT_EQ(hc.unhealthy_threshold, 3);
  EXPECT_EQ(hc.expected_status_min, 200);
  EXPECT_EQ(hc.expected_status_max, 399);
  EXPECT_EQ(hc.body_contains, "");
  EXPECT_FALSE(d.find_origin("backup")->health_check.enabled);
  const OriginGroup* site = d.find_group("site");
  ASSERT_NE(site, nullptr);
  EXPECT_EQ(site->selection, OriginGroup::Selection::kHealthAware);
  EXPECT_TRUE(site->outlier_detection.enabled);
  EXPECT_EQ(site->outlier_detection.consecutive_failures, 5);
  EXPECT_EQ(site->outlier_detection.base_ejection, 10s);
  EXPECT_EQ(site->outlier_detection.max_ejection, 300s);
  EXPECT_EQ(site->outlier_detection.max_ejected_percent, 50);
}

TEST(HealthConfigTest, CollectsEveryErrorInTheBlocks) {
  LoadResult r =
      load(config("health_check: {path: health, port: 0, interval: 1h, "
                  "expected_status: 600, bogus: 1}",
                  "selection: random, outlier_detection: {consecutive_failures: 0}"));
  const std::string hc = "distributions[0].origins[1].health_check.";
  const std::string od = "distributions[0].origin_groups[0].";
  EXPECT_EQ(r.problems.errors,
            (std::vector<std::string>{
                hc + "path: expected a path starting with '/'",
                hc + "port: expected integer 1-65535",
                hc + "interval: expected duration 100ms-10m",
                hc + "expected_status: expected a status code or a range min-max, each 100-599, "
                     "e.g. 200-399",
                hc + "bogus: unknown field",
                od + "selection: expected one of health-aware|cloudfront",
                od + "outlier_detection.consecutive_failures: expected integer 1-1000",
            }));
}

struct BadCase {
  const char* name;
  std::string b_fields;
  std::string g_fields;
  std::string error;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

const std::string kHc = "distributions[0].origins[1].health_check";
const std::string kG = "distributions[0].origin_groups[0].";
const std::string kOd = kG + "outlier_detection";

std::vector<BadCase> bad_cases() {
  const std::string long_path = "/" + std::string(255, 'x');
  const std::string long_body(256, 'y');
  const std::string status_reason =
      "expected a status code or a range min-max, each 100-599, e.g. 200-399";
  return {
      // health_check
      {"HealthCheckNotAMapping", "health_check: yes", "", kHc + ": expected mapping"},
      {"HealthCheckList", "health_check: [/health]", "", kHc + ": expected mapping"},
      {"EnabledType", "health_check: {enabled: sometimes}", "", kHc + ".enabled: expected boolean"},
      {"ProtocolEnum", "health_check: {protocol: grpc}", "",
       kHc + ".protocol: expected one of origin|http|https|tcp"},
      {"ProtocolCase", "health_check: {protocol: HTTP}", "",
       kHc + ".protocol: expected one of origin|http|https|tcp"},
      {"PathRelative", "health_check: {path: health}", "",
       kHc + ".path: expected a path starting with '/'"},
      {"PathEmpty", "health_check: {path: ''}", "",
       kHc + ".path: expected a path starting with '/'"},
      {"PathTooLong", "health_check: {path: " + long_path + "}", "",
       kHc + ".path: at most 255 characters"},
      {"PathSpace", "health_check: {path: \"/a b\"}", "",
       kHc + ".path: character \" \" is not allowed in a path"},
      {"PathFragment", "health_check: {path: \"/a#b\"}", "",
       kHc + ".path: character \"#\" is not allowed in a path"},
      {"PathList", "health_check: {path: [/a]}", "", kHc + ".path: expected string"},
      {"PortZero", "health_check: {port: 0}", "", kHc + ".port: expected integer 1-65535"},
      {"PortRange", "health_check: {port: 65536}", "", kHc + ".port: expected integer 1-65535"},
      {"IntervalTooShort", "health_check: {interval: 99ms}", "",
       kHc + ".interval: expected duration 100ms-10m"},
      {"IntervalTooLong", "health_check: {interval: 601s}", "",
       kHc + ".interval: expected duration 100ms-10m"},
      {"IntervalMalformed", "health_check: {interval: 10 seconds}", "",
       kHc + ".interval: expected duration 100ms-10m"},
      {"TimeoutTooShort", "health_check: {timeout: 9ms}", "",
       kHc + ".timeout: expected duration 10ms-60s"},
      {"TimeoutTooLong", "health_check: {interval: 2m, timeout: 61s}", "",
       kHc + ".timeout: expected duration 10ms-60s"},
      {"TimeoutEqualsInterval", "health_check: {interval: 5s, timeout: 5s}", "",
       kHc + ".timeout: must be less than interval (5s)"},
      {"TimeoutAboveInterval", "health_check: {interval: 500ms, timeout: 1s}", "",
       kHc + ".timeout: must be less than interval (500ms)"},
      {"IntervalBelowDefaultTimeout", "health_check: {interval: 1s}", "",
       kHc + ".interval: must be greater than timeout (2s by default)"},
      {"TimeoutAboveDefaultInterval", "health_check: {timeout: 15s}", "",
       kHc + ".timeout: must be less than interval (10s)"},
      {"HealthyThresholdZero", "health_check: {healthy_threshold: 0}", "",
       kHc + ".healthy_threshold: expected integer 1-10"},
      {"HealthyThresholdRange", "health_check: {healthy_threshold: 11}", "",
       kHc + ".healthy_threshold: expected integer 1-10"},
      {"UnhealthyThresholdRange", "health_check: {unhealthy_threshold: 0}", "",
       kHc + ".unhealthy_threshold: expected integer 1-10"},
      {"StatusTooLow", "health_check: {expected_status: 99}", "",
       kHc + ".expected_status: " + status_reason},
      {"StatusTooHigh", "health_check: {expected_status: 600}", "",
       kHc + ".expected_status: " + status_reason},
      {"StatusRangeHigh", "health_check: {expected_status: 200-600}", "",
       kHc + ".expected_status: " + status_reason},
      {"StatusRangeReversed", "health_check: {expected_status: 399-200}", "",
       kHc + ".expected_status: " + status_reason},
      {"StatusRangeOpen", "health_check: {expected_status: 200-}", "",
       kHc + ".expected_status: " + status_reason},
      {"StatusWords", "health_check: {expected_status: ok}", "",
       kHc + ".expected_status: " + status_reason},
      {"StatusList", "health_check: {expected_status: [200, 204]}", "",
       kHc + ".expected_status: " + status_reason},
      {"BodyTooLong", "health_check: {body_contains: " + long_body + "}", "",
       kHc + ".body_contains: at most 255 characters"},
      {"TcpWithPath", "health_check: {protocol: tcp, path: /health}", "",
       kHc + ".path: not allowed with protocol: tcp"},
      {"TcpWithStatus", "health_check: {protocol: tcp, expected_status: 200}", "",
       kHc + ".expected_status: not allowed with protocol: tcp"},
      {"TcpWithBody", "health_check: {protocol: tcp, body_contains: ok}", "",
       kHc + ".body_contains: not allowed with protocol: tcp"},
      {"UnknownKey", "health_check: {intervall: 5s}", "",
       kHc + ".intervall: unknown field (did you mean \"interval\"?)"},
      // selection
      {"SelectionEnum", "", "selection: round-robin",
       kG + "selection: expected one of health-aware|cloudfront"},
      {"SelectionCase", "", "selection: CloudFront",
       kG + "selection: expected one of health-aware|cloudfront"},
      // outlier_detection
      {"OutlierScalar", "", "outlier_detection: on", kOd + ": expected mapping or off"},
      {"OutlierList", "", "outlier_detection: [5]", kOd + ": expected mapping"},
      {"OutlierEnabledType", "", "outlier_detection: {enabled: 2}",
       kOd + ".enabled: expected boolean"},
      {"ConsecutiveZero", "", "outlier_detection: {consecutive_failures: 0}",
       kOd + ".consecutive_failures: expected integer 1-1000"},
      {"ConsecutiveRange", "", "outlier_detection: {consecutive_failures: 1001}",
       kOd + ".consecutive_failures: expected integer 1-1000"},
      {"BaseTooShort", "", "outlier_detection: {base_ejection: 99ms}",
       kOd + ".base_ejection: expected duration 100ms-1h"},
      {"BaseTooLong", "", "outlier_detection: {base_ejection: 61m, max_ejection: 2h}",
       kOd + ".base_ejection: expected duration 100ms-1h"},
      {"MaxTooLong", "", "outlier_detection: {max_ejection: 25h}",
       kOd + ".max_ejection: expected duration 100ms-24h"},
      {"MaxBelowBase", "", "outlier_detection: {base_ejection: 30s, max_ejection: 20s}",
       kOd + ".max_ejection: must be at least base_ejection (30s)"},
      {"MaxBelowDefaultBase", "", "outlier_detection: {max_ejection: 5s}",
       kOd + ".max_ejection: must be at least base_ejection (10s)"},
      {"BaseAboveDefaultMax", "", "outlier_detection: {base_ejection: 10m}",
       kOd + ".base_ejection: must not exceed max_ejection (5m by default)"},
      {"PercentRange", "", "outlier_detection: {max_ejected_percent: 101}",
       kOd + ".max_ejected_percent: expected integer 0-100"},
      {"PercentNegative", "", "outlier_detection: {max_ejected_percent: -1}",
       kOd + ".max_ejected_percent: expected integer 0-100"},
      {"OutlierUnknownKey", "", "outlier_detection: {consecutive_failure: 3}",
       kOd + ".consecutive_failure: unknown field (did you mean \"consecutive_failures\"?)"},
      {"OutlierWithCloudFrontSelection", "",
       "selection: cloudfront, outlier_detection: {consecutive_failures: 3}",
       kOd + ": only allowed with selection: health-aware"},
  };
}

class HealthBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(HealthBadInputTest, ReportsExactlyOneErrorWithPath) {
  LoadResult r = load(config(GetParam().b_fields, GetParam().g_fields));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.problems.errors, std::vector<std::string>{GetParam().error});
}

INSTANTIATE_TEST_SUITE_P(Table, HealthBadInputTest, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           return std::string(info.param.name);
                         });

// health_check is an HTTP-origin key: refused on a directory origin, like the ports.
TEST(HealthConfigTest, HealthCheckOnDirectoryOrigin) {
  LoadResult r = load(
      "distributions:\n"
      "  - origins: [{id: a, directory: site, health_check: {path: /}}]\n"
      "    default_cache_behavior: {target_origin_id: a}\n");
  EXPECT_EQ(r.problems.errors,
            std::vector<std::string>{
                "distributions[0].origins[0].health_check: only allowed with domain_name"});
}

}  // namespace
}  // namespace edgefront::config
