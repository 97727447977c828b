#include "config/listen_tls.h"

#include <filesystem>

#include "config/yaml_reader.h"
#include "tls/security_policy.h"
#include "tls/server_context.h"

namespace edgefront::config::detail {

std::string resolve_config_path(const std::string& file, const std::string& base_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(file);
  if (p.is_relative()) p = (base_dir.empty() ? fs::current_path(ec) : fs::path(base_dir)) / p;
  return fs::absolute(p, ec).lexically_normal().string();
}

namespace {

std::optional<ListenTls::Certificate> certificate(const YAML::Node& node, const FieldPath& path,
                                                  const std::string& base_dir, Problems& problems) {
  MapReader m(node, path, Dialect::kNative, problems);
  if (!m.is_map()) return std::nullopt;
  std::optional<std::string> cert = m.string("cert", MapReader::kRequired);
  std::optional<std::string> key = m.string("key", MapReader::kRequired);
  std::optional<std::string> ocsp = m.string("ocsp");
  m.finish();
  if (!cert || !key) return std::nullopt;
  ListenTls::Certificate out{resolve_config_path(*cert, base_dir),
                             resolve_config_path(*key, base_dir),
                             ocsp && !ocsp->empty() ? resolve_config_path(*ocsp, base_dir) : ""};
  Status loaded = tls::check_certificate_files({out.cert, out.key, out.ocsp});
  if (!loaded.ok()) {
    problems.error(path, loaded.error().message);
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<ListenTls> read_listen_tls(const YAML::Node& node, const FieldPath& path,
                                         const std::string& base_dir, Problems& problems) {
  MapReader m(node, path, Dialect::kNative, problems);
  if (!m.is_map()) return std::nullopt;
  ListenTls out;
  bool ok = true;
  if (std::optional<YAML::Node> certs = m.take_required("certificates")) {
    auto items = list_items(*certs, m.at("certificates"), Dialect::kNative, problems);
    if (certs->IsSequence() && items.empty()) {
      problems.error(m.at("certificates"), "at least one certificate required");
    }
    for (const auto& [item, item_path] : items) {
      std::optional<ListenTls::Certificate> c = certificate(item, item_path, base_dir, problems);
      if (c) {
        out.certificates.push_back(std::move(*c));
      } else {
        ok = false;
      }
    }
  }
  if (std::optional<std::string> policy = m.string("minimum_protocol")) {
    if (!tls::find_security_policy(*policy)) {
      problems.error(m.at("minimum_protocol"), "expected one of " + tls::security_policy_names());
      ok = false;
    } else {
      out.minimum_protocol = *policy;
    }
  }
  if (auto v = m.duration("ticket_key_rotation", std::chrono::seconds(1), std::chrono::hours(24))) {
    out.ticket_key_rotation = *v;
  }
  if (std::optional<bool> h2 = m.boolean("http2")) out.http2 = *h2;
  m.finish();
  if (!ok || out.certificates.empty()) return std::nullopt;
  return out;
}

}  // namespace edgefront::config::detail
