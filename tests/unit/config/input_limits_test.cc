// Hostile config input: size and nesting bounds checked before a tree is built, control
// characters in ids, blank admin tokens.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/loader.h"

namespace edgefront::config {
namespace {

const std::string kDist =
    "distribution:\n  origins: [{id: a, directory: /tmp}]\n"
    "  default_cache_behavior: {target_origin_id: a}\n";

std::vector<std::string> errors_of(const std::string& text, const std::string& name = "t.yaml") {
  return load_config_text(text, name).problems.errors;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          (name + "-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name()))
      .string();
}

TEST(InputLimitsTest, TextOverTheSizeLimitIsRefusedUnparsed) {
  std::string text = kDist + "# " + std::string(kMaxConfigBytes, 'x') + "\n";
  EXPECT_EQ(errors_of(text),
            std::vector<std::string>{"t.yaml: larger than 16 MiB, the limit for a config file"});
  // At the limit the text is parsed (here, to a syntax error at its first byte).
  std::string at_limit = "]" + std::string(kMaxConfigBytes - 1, 'x');
  std::vector<std::string> errors = errors_of(at_limit);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("t.yaml:1:1: ", 0), 0u) << errors[0];
}

TEST(InputLimitsTest, FileOverTheSizeLimitIsRefusedFromItsSize) {
  // A sparse 1.5 GB file: refused from fstat without reading it (it used to end in bad_alloc).
  std::string path = temp_path("huge.yaml");
  { std::ofstream(path) << kDist; }
  ASSERT_EQ(::truncate(path.c_str(), 1500ll << 20), 0);
  LoadResult r = load_config_file(path);
  std::filesystem::remove(path);
  EXPECT_EQ(r.problems.errors,
            std::vector<std::string>{path + ": larger than 16 MiB, the limit for a config file"});
}

TEST(InputLimitsTest, EndlessDeviceIsRefusedAfterTheLimit) {
  // /dev/zero has no size: the bounded read stops one byte past the limit (it used to run
  // until killed).
  LoadResult r = load_config_file("/dev/zero");
  EXPECT_EQ(r.problems.errors,
            std::vector<std::string>{"/dev/zero: larger than 16 MiB, the limit for a config file"});
}

std::string nested_yaml(int depth) {
  std::string text = kDist + "x:\n";
  for (int i = 1; i < depth; ++i) text += std::string(2 * i, ' ') + "k:\n";
  return text + std::string(2 * depth, ' ') + "v: 1\n";
}

std::string nested_json(int depth, char open, char close) {
  std::string inner = std::string(depth, open) + std::string(depth, close);
  return R"({"Origins": )" + inner + "}";
}

TEST(InputLimitsTest, NestingDeeperThanTheLimitIsRefused) {
  // Block mappings: the top level is 1, "x" opens 2 ... the last "k" opens `depth` + 1.
  std::vector<std::string> errors = errors_of(nested_yaml(kMaxConfigDepth));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("nested more than 64 levels deep"), std::string::npos) << errors[0];
  EXPECT_EQ(errors[0].rfind("t.yaml:", 0), 0u) << errors[0];
  // One level less is only the unknown top-level key.
  EXPECT_EQ(errors_of(nested_yaml(kMaxConfigDepth - 1)),
            std::vector<std::string>{"x: unknown field"});
  // JSON arrays and objects, far deeper than yaml-cpp's own recursion guard.
  for (char open : {'[', '{'}) {
    char close = open == '[' ? ']' : '}';
    errors = errors_of(nested_json(100000, open, close), "t.json");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0],
              "t.json:1:76: nested more than 64 levels deep, the limit for a config file");
  }
}

TEST(InputLimitsTest, ControlCharactersInIdsAreRefusedWithTheirPath) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::string behavior = "  default_cache_behavior: {target_origin_id: a}\n";
  const Case cases[] = {
      {"distribution:\n  origins: [{id: \"a\\0b\", directory: /tmp}]\n" + behavior,
       "distribution.origins[0].id: control character 0x00 not allowed in an id"},
      {"distribution:\n  origins: [{id: \"a\\tb\", directory: /tmp}]\n" + behavior,
       "distribution.origins[0].id: control character 0x09 not allowed in an id"},
      {"distribution:\n  origins: [{id: a, directory: /tmp}]\n"
       "  default_cache_behavior: {target_origin_id: \"a\\x7f\"}\n",
       "distribution.default_cache_behavior.target_origin_id: control character 0x7f not allowed "
       "in an id"},
      {"distributions:\n  - id: \"d\\r\\n\"\n    origins: [{id: a, directory: /tmp}]\n  "
       "  default_cache_behavior: {target_origin_id: a}\n",
       "distributions[0].id: control character 0x0d not allowed in an id"},
      {"distribution:\n  origins: [{id: a, directory: /tmp}, {id: b, directory: /tmp}]\n"
       "  origin_groups: [{id: \"g\\e\", members: [a, b], failover_status_codes: [500]}]\n" +
           behavior,
       "distribution.origin_groups[0].id: control character 0x1b not allowed in an id"},
      {"distribution:\n  origins: [{id: a, directory: /tmp}, {id: b, directory: /tmp}]\n"
       "  origin_groups: [{id: g, members: [a, \"b\\0\"], failover_status_codes: [500]}]\n" +
           behavior,
       "distribution.origin_groups[0].members[1]: control character 0x00 not allowed in an id"},
      {"cache_policies: [{name: \"p\\n\"}]\n" + kDist,
       "cache_policies[0].name: control character 0x0a not allowed in an id"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> errors = errors_of(c.text);
    EXPECT_NE(std::find(errors.begin(), errors.end(), c.error), errors.end())
        << c.error << " not in " << ::testing::PrintToString(errors);
  }
  // CloudFront JSON: the same rule.
  std::string json = R"({"Origins": {"Quantity": 1, "Items": [{"Id": "a\u0000", "DomainName":
    "a.example", "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
    "OriginProtocolPolicy": "http-only"}}]}, "DefaultCacheBehavior": {"TargetOriginId": "a",
    "ViewerProtocolPolicy": "allow-all"}})";
  std::vector<std::string> errors = errors_of(json, "t.json");
  EXPECT_NE(std::find(errors.begin(), errors.end(),
                      "DistributionConfig.Origins.Items[0].Id: control character 0x00 not "
                      "allowed in an id"),
            errors.end())
      << ::testing::PrintToString(errors);
}

TEST(InputLimitsTest, EmptyOrBlankAdminTokenIsRefused) {
  for (const char* token : {"\"\"", "\"   \"", "\"\\t\""}) {
    EXPECT_EQ(errors_of(std::string("server: {admin_token: ") + token + "}\n" + kDist),
              std::vector<std::string>{
                  "server.admin_token: must not be empty or blank (omit it for no token)"})
        << token;
  }
  EXPECT_TRUE(errors_of("server: {admin: 0.0.0.0:9901, admin_token: s3cret}\n" + kDist).empty());
}

}  // namespace
}  // namespace edgefront::config
