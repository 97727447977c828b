// Entry points: format detection, syntax errors, files, and the built-in default config.
#include "config/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace edgefront::config {
namespace {

const std::string kRoot = EDGEFRONT_SOURCE_DIR;

TEST(LoaderTest, YamlSyntaxErrorNamesSourceLineAndColumn) {
  LoadResult r = load_config_text("server:\n  listen: [127.0.0.1:8080\nfoo: 1\n", "edge.yaml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.problems.errors.size(), 1u);
  EXPECT_EQ(r.problems.errors[0], "edge.yaml:3:4: end of sequence flow not found");
}

TEST(LoaderTest, JsonSyntaxErrorNamesSourceLineAndColumn) {
  LoadResult r =
      load_config_text("{\n  \"Origins\": {\"Quantity\": 1,\n  \"Items\": [}\n}\n", "dist.json");
  ASSERT_EQ(r.problems.errors.size(), 1u);
  EXPECT_EQ(r.problems.errors[0].rfind("dist.json:3:", 0), 0u) << r.problems.errors[0];
}

TEST(LoaderTest, DetectsCloudFrontByItsKeys) {
  // A bare object with only DefaultCacheBehavior is CloudFront: the error is about Origins.
  LoadResult r = load_config_text(
      R"({"DefaultCacheBehavior": {"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all"}})",
      "x.json");
  EXPECT_EQ(r.problems.errors.front(), "DistributionConfig.Origins: required");
  // Wrapped form.
  r = load_config_text(R"({"ETag": "E1", "DistributionConfig": {}})", "x.json");
  EXPECT_EQ(r.problems.errors,
            (std::vector<std::string>{"DistributionConfig.Origins: required",
                                      "DistributionConfig.DefaultCacheBehavior: required"}));
  // Anything else is native.
  r = load_config_text("{}", "x.yaml");
  EXPECT_EQ(r.problems.errors, std::vector<std::string>{"distributions: required"});
}

TEST(LoaderTest, EmptyTextIsAnEmptyNativeConfig) {
  LoadResult r = load_config_text("", "empty.yaml");
  EXPECT_EQ(r.problems.errors, std::vector<std::string>{"distributions: required"});
  r = load_config_text("# only a comment\n", "empty.yaml");
  EXPECT_EQ(r.problems.errors, std::vector<std::string>{"distributions: required"});
}

TEST(LoaderTest, ScalarDocumentIsRejected) {
  LoadResult r = load_config_text("just a string", "s.yaml");
  EXPECT_EQ(r.problems.errors,
            std::vector<std::string>{"s.yaml: expected a mapping at the top level"});
}

TEST(LoaderTest, MissingFile) {
  LoadResult r = load_config_file(kRoot + "/examples/does-not-exist.yaml");
  ASSERT_EQ(r.problems.errors.size(), 1u);
  EXPECT_EQ(r.problems.errors[0],
            kRoot + "/examples/does-not-exist.yaml: cannot read: No such file or directory");
}

TEST(LoaderTest, DirectoryInsteadOfFile) {
  LoadResult r = load_config_file(kRoot + "/examples");
  EXPECT_EQ(r.problems.errors,
            std::vector<std::string>{kRoot + "/examples: is a directory, not a config file"});
}

TEST(LoaderTest, RelativeDirectoriesResolveAgainstTheConfigFile) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "edgefront_loader_test";
  std::filesystem::create_directories(dir / "www");
  {
    std::ofstream out(dir / "edge.yaml");
    out << "distribution:\n"
           "  origins: [{id: a, directory: ./www/}]\n"
           "  default_cache_behavior: {target_origin_id: a}\n";
  }
  LoadResult r = load_config_file((dir / "edge.yaml").string());
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_EQ(r.config.distributions[0].origins[0].directory, (dir / "www").string());
  std::filesystem::remove_all(dir);
}

TEST(LoaderTest, HostileInputDoesNotThrow) {
  const std::string deep(5000, '[');
  for (const std::string& text :
       {deep, std::string("{a: *x}"), std::string("\t\t- ]"), std::string("!!binary ~"),
        std::string("distributions: [[[]]]"), std::string("{\"Origins\": [1, {}]}"),
        std::string("distribution: {origins: {a: 1}, default_cache_behavior: []}")}) {
    LoadResult r = load_config_text(text, "hostile.yaml");
    EXPECT_FALSE(r.ok()) << text.substr(0, 40);
  }
}

TEST(LoaderTest, DefaultConfigIsTheDemo) {
  LoadResult r = default_config(kRoot);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  EXPECT_TRUE(r.config.warnings.empty());
  const Server& s = r.config.server;
  ASSERT_EQ(s.listen.size(), 1u);
  EXPECT_EQ(s.listen[0].host, "127.0.0.1");
  EXPECT_EQ(s.listen[0].port, 8080);
  ASSERT_TRUE(s.admin.has_value());
  EXPECT_EQ(s.admin->host, "127.0.0.1");
  EXPECT_EQ(s.admin->port, 9901);
  EXPECT_TRUE(s.served_by_header);

  ASSERT_EQ(r.config.distributions.size(), 1u);
  const Distribution& d = r.config.distributions[0];
  EXPECT_EQ(d.id, "default");
  EXPECT_EQ(d.default_root_object, "index.html");
  ASSERT_EQ(d.origins.size(), 2u);
  EXPECT_EQ(d.origins[0].id, "primary");
  EXPECT_EQ(d.origins[0].directory, kRoot + "/examples/site");
  EXPECT_EQ(d.origins[1].id, "secondary");
  EXPECT_EQ(d.origins[1].directory, kRoot + "/examples/site-backup");
  ASSERT_EQ(d.origin_groups.size(), 1u);
  EXPECT_EQ(d.origin_groups[0].id, "site");
  EXPECT_EQ(d.origin_groups[0].member_origin_ids,
            (std::vector<std::string>{"primary", "secondary"}));
  EXPECT_EQ(d.origin_groups[0].failover_status_codes, (std::vector<int>{404, 500, 502, 503, 504}));
  EXPECT_EQ(d.default_behavior.target_origin_id, "site");
  EXPECT_EQ(d.default_behavior.allowed_methods, http::MethodSet::get_head_options());
  EXPECT_EQ(d.default_behavior.cached_methods, http::MethodSet::get_head());
}

TEST(LoaderTest, DefaultConfigWithMissingRootSaysWhichDirectory) {
  LoadResult r = default_config("/nonexistent-edgefront-root");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems.errors.front(),
            "distribution.origins[0].directory: directory "
            "\"/nonexistent-edgefront-root/examples/site\" does not exist");
}

}  // namespace
}  // namespace edgefront::config
