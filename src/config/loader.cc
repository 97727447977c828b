// Entry points: read the text, parse YAML, pick the format, run its loader; never throws.
#include "config/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>

#include "base/unique_fd.h"
#include "config/cloudfront_json.h"
#include "config/field_path.h"
#include "config/native_yaml.h"
#include "config/nesting_depth.h"

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

LoadResult refused(std::string text) {
  detail::Problems problems;
  problems.error_text(std::move(text));
  return finish(Config{}, problems);
}

std::string too_large(const std::string& source_name) {
  return source_name + ": larger than " + std::to_string(kMaxConfigBytes >> 20) +
         " MiB, the limit for a config file";
}

// Reads at most kMaxConfigBytes + 1 bytes: enough to tell that a file is over the limit.
std::optional<std::string> read_bounded(int fd, std::string& text) {
  text.clear();
  char buf[65536];
  while (text.size() <= kMaxConfigBytes) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::string("cannot read: ") + std::strerror(errno);
    if (n == 0) return std::nullopt;
    text.append(buf, static_cast<size_t>(n));
  }
  return std::nullopt;
}

}  // namespace

LoadResult load_config_text(std::string_view text, const std::string& source_name) {
  detail::Problems problems;
  Config config;
  config.source = source_name;
  if (text.size() > kMaxConfigBytes) return refused(too_large(source_name));
  YAML::Node root;
  try {
    if (auto deep = detail::find_nesting_beyond(text, kMaxConfigDepth)) {
      return refused(source_name + ":" + std::to_string(deep->line) + ":" +
                     std::to_string(deep->column) + ": nested more than " +
                     std::to_string(kMaxConfigDepth) + " levels deep, the limit for a config file");
    }
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
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return refused(path + ": cannot read: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return refused(path + ": cannot read: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return refused(path + ": is a directory, not a config file");
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > kMaxConfigBytes) {
    return refused(too_large(path));
  }
  std::string text;
  if (std::optional<std::string> failed = read_bounded(fd.get(), text)) {
    return refused(path + ": " + *failed);
  }
  return load_config_text(text, path);
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
