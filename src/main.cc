// edgefront: a CloudFront-compatible CDN edge server.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "config/loader.h"
#include "server/preflight.h"
#include "server/server.h"

// jemalloc (linked into the binary, CMakeLists.txt) reads its options from this symbol; the
// MALLOC_CONF environment variable still overrides it. background_thread: dirty pages are
// purged on their decay schedule (dirty_decay_ms, 10 s) by jemalloc's own thread, also when
// the workers that freed them go quiet. Without it purging happens only inside later
// allocations, so an idle process kept the memory of a burst of connections for good.
// Harmless without jemalloc (sanitizer builds): nothing reads it.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true";
}

namespace {

// "host:port" or "[v6]:port".
std::optional<edgefront::config::ListenAddress> parse_listen(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long port = 0;
  try {
    size_t used = 0;
    port = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port > 65535) return std::nullopt;
  } catch (...) {
    return std::nullopt;
  }
  if (host.empty()) host = "0.0.0.0";
  return edgefront::config::ListenAddress{host, static_cast<uint16_t>(port)};
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("edgefront");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"edgefront: a CloudFront-compatible CDN edge server", "edgefront"};
  app.set_version_flag("--version", std::string("edgefront ") + EDGEFRONT_VERSION);
  app.require_subcommand(1);

  edgefront::server::ServeOptions options;
  std::string listen_text;
  auto* serve = app.add_subcommand("serve", "Run the edge server");
  serve->add_option("--config", options.config_path,
                    "Config file: native YAML or CloudFront DistributionConfig JSON "
                    "(default: the built-in demo)");
  serve->add_option("--listen", listen_text, "Listen address ADDR:PORT (overrides the config)");
  std::string admin_text;
  serve->add_option("--admin", admin_text,
                    "Admin listener ADDR:PORT, or \"off\" (overrides the config)");
  serve->add_option("--access-log", options.access_log_path,
                    "Write a CloudFront-format access log of every distribution to FILE "
                    "(reopened on SIGUSR1)");
  serve->add_option("--workers", options.workers_override, "Worker threads (default: one per core)")
      ->check(CLI::Range(1, 1024));

  std::string validate_path;
  auto* validate = app.add_subcommand("validate", "Check a config file and exit");
  validate->add_option("file", validate_path, "Config file")->required();

  CLI11_PARSE(app, argc, argv);

  if (*validate) {
    auto loaded = edgefront::config::load_config_file(validate_path);
    for (const auto& w : loaded.config.warnings) fmt::print(stderr, "warning: {}\n", w);
    for (const auto& e : loaded.problems.errors) fmt::print(stderr, "{}\n", e);
    if (!loaded.ok()) return 1;
    // What serve checks beyond the text (disk cache directory, certificates...).
    std::vector<std::string> problems = edgefront::server::preflight(loaded.config);
    for (const auto& p : problems) fmt::print(stderr, "{}\n", p);
    if (!problems.empty()) return 1;
    fmt::print("ok\n");
    return 0;
  }

  if (!listen_text.empty()) {
    options.listen_override = parse_listen(listen_text);
    if (!options.listen_override) {
      fmt::print(stderr, "--listen: expected ADDR:PORT, got \"{}\"\n", listen_text);
      return 2;
    }
  }
  if (admin_text == "off") {
    options.admin_override = std::optional<edgefront::config::ListenAddress>();
  } else if (!admin_text.empty()) {
    auto admin = parse_listen(admin_text);
    if (!admin) {
      fmt::print(stderr, "--admin: expected ADDR:PORT or off, got \"{}\"\n", admin_text);
      return 2;
    }
    options.admin_override = admin;
  }
  auto config = edgefront::server::load_for_serving(options);
  if (!config) return 1;
  return edgefront::server::serve(std::move(config), options);
}
