// Entry points: read the text, parse YAML, pick the format, run its loader; never throws.
#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/cloudfront_json.h"
#include "config/field_path.h"
#include "config/native_yaml.h"

namespace edgefront::config {

namespace {

// A double-quoted YAML scalar: safe for any path.
std::string yaml_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

LoadResult finish(Config config, detail::Problems& problems) {
  LoadResult result;
  config.warnings = std::move(problems.warnings());
  result.problems.errors = std::move(problems.errors());
  result.config = std::move(config);
  return result;
}

}  // namespace

LoadResult load_config_text(std::string_view text, const std::string& source_name) {
  detail::Problems problems;
  Config config;
  config.source = source_name;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    problems.error_text(source_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                        std::to_string(e.mark.column + 1) + ": " + e.msg);
    return finish(std::move(config), problems);
  } catch (const std::exception& e) {
    problems.error_text(source_name + ": " + e.what());
    return finish(std::move(config), problems);
  }

  try {
    if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);  // empty file
    if (!root.IsMap()) {
      problems.error_text(source_name + ": expected a mapping at the top level");
    } else if (detail::is_cloudfront(root)) {
      detail::load_cloudfront(root, config, problems);
    } else {
      std::string base_dir = std::filesystem::path(source_name).parent_path().string();
      detail::load_native(root, base_dir, config, problems);
    }
  } catch (const std::exception& e) {
    // The loaders do not throw on bad input; this is a last line of defence.
    problems.error_text(source_name + ": " + e.what());
  }
  return finish(std::move(config), problems);
}

LoadResult load_config_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    detail::Problems problems;
    problems.error_text(path + ": is a directory, not a config file");
    return finish(Config{}, problems);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    detail::Problems problems;
    problems.error_text(path + ": cannot read: " + std::strerror(err));
    return finish(Config{}, problems);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_config_text(text.str(), path);
}

LoadResult default_config(const std::string& root) {
  std::filesystem::path examples = std::filesystem::path(root) / "examples";
  std::string text;
  text += "server:\n";
  text += "  listen: 127.0.0.1:8080\n";
  text += "  admin: 127.0.0.1:9901\n";
  text += "  served_by_header: true\n";
  // A short TTL so the demo shows hits and still lets a removed file fail over soon.
  text += "cache_policies:\n";
  text += "  - name: demo\n";
  text += "    min_ttl: 0s\n";
  text += "    default_ttl: 10s\n";
  text += "    max_ttl: 60s\n";
  text += "distribution:\n";
  text += "  default_root_object: index.html\n";
  text += "  origins:\n";
  text += "    - id: primary\n";
  text += "      directory: " + yaml_quote((examples / "site").string()) + "\n";
  text += "    - id: secondary\n";
  text += "      directory: " + yaml_quote((examples / "site-backup").string()) + "\n";
  text += "  origin_groups:\n";
  text += "    - id: site\n";
  text += "      members: [primary, secondary]\n";
  text += "      failover_status_codes: [404, 500, 502, 503, 504]\n";
  text += "  default_cache_behavior:\n";
  text += "    target_origin_id: site\n";
  text += "    allowed_methods: [GET, HEAD, OPTIONS]\n";
  text += "    cache_policy: demo\n";
  return load_config_text(text, "<built-in default config>");
}

}  // namespace edgefront::config
