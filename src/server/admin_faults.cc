#include "server/admin_faults.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace edgefront::server {

namespace {

AdminReply error_reply(int status, std::string_view message) {
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    escaped += c;
  }
  return {status, fmt::format("{{\"error\":\"{}\"}}\n", escaped)};
}

std::string describe(const upstream::InjectedFault& f) {
  const upstream::FaultSpec& s = f.spec;
  std::string where = s.distribution.empty() ? s.origin : s.distribution + "/" + s.origin;
  switch (s.kind) {
    case upstream::FaultKind::kDelay:
      return fmt::format("#{} {} delay {} ms", f.id, where, s.delay_ms);
    case upstream::FaultKind::kStatus:
      return fmt::format("#{} {} status {}", f.id, where, s.status);
    case upstream::FaultKind::kResetMidBody:
      return fmt::format("#{} {} reset_mid_body after {} bytes", f.id, where, s.after_bytes);
    default:
      return fmt::format("#{} {} {}", f.id, where, upstream::fault_kind_name(s.kind));
  }
}

std::string fault_json(const upstream::InjectedFault& f) {
  return upstream::fault_spec_json(f.id, f.spec, f.applied ? f.applied->value() : 0);
}

// The fault must name an HTTP origin of the running config (directory origins have no
// connection to break).
std::optional<AdminReply> check_target(const upstream::FaultSpec& spec,
                                       const proxy::Runtime& runtime) {
  bool distribution_found = spec.distribution.empty();
  bool directory_only = false;
  for (const proxy::RuntimeDistribution& d : runtime.distributions()) {
    if (!spec.distribution.empty() && d.config->id != spec.distribution) continue;
    distribution_found = true;
    for (const auto& o : d.origins) {
      if (o->config->id != spec.origin) continue;
      if (!o->config->is_directory()) return std::nullopt;
      directory_only = true;
    }
  }
  if (!distribution_found) {
    return error_reply(404, fmt::format("no distribution {}", spec.distribution));
  }
  if (directory_only) {
    return error_reply(400, fmt::format("origin {} is a directory origin; faults apply to HTTP "
                                        "origins",
                                        spec.origin));
  }
  return error_reply(404, fmt::format("no origin {}", spec.origin));
}

AdminReply inject(std::string_view body, const proxy::Runtime& runtime,
                  upstream::FaultTable& faults, obs::Registry& registry, unsigned slot) {
  auto spec = upstream::parse_fault_spec(body);
  if (!spec.ok()) return error_reply(400, spec.error().message);
  if (auto refused = check_target(spec.value(), runtime)) return *refused;
  obs::Counter* applied =
      registry.faults_applied.get({spec->distribution.empty() ? "*" : spec->distribution,
                                   spec->origin, upstream::fault_kind_name(spec->kind)});
  std::optional<upstream::FaultRef> replaced;
  upstream::FaultRef fault = faults.add(std::move(spec.value()), applied, &replaced);
  if (replaced) {
    registry.fault_events.get({"removed"})->add(slot);
    spdlog::warn("fault removed (replaced): {}", describe(**replaced));
  }
  registry.fault_events.get({"injected"})->add(slot);
  spdlog::warn("fault injected: {}", describe(*fault));
  return {201, fault_json(*fault) + "\n"};
}

AdminReply list(const upstream::FaultTable& faults) {
  std::string out = "{\"faults\":[";
  bool first = true;
  for (const upstream::FaultRef& f : faults.list()) {
    if (!first) out += ',';
    first = false;
    out += fault_json(*f);
  }
  return {200, out + "]}\n"};
}

AdminReply remove_one(std::string_view id_text, upstream::FaultTable& faults,
                      obs::Registry& registry, unsigned slot) {
  uint64_t id = 0;
  auto [p, err] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (err != std::errc() || p != id_text.data() + id_text.size()) {
    return error_reply(400, "expected /faults/{id} with a numeric id");
  }
  upstream::FaultRef removed = faults.remove(id);
  if (!removed) return error_reply(404, fmt::format("no fault {}", id));
  registry.fault_events.get({"removed"})->add(slot);
  spdlog::warn("fault removed: {}", describe(*removed));
  return {200, fault_json(*removed) + "\n"};
}

AdminReply remove_all(upstream::FaultTable& faults, obs::Registry& registry, unsigned slot) {
  std::vector<upstream::FaultRef> removed = faults.clear();
  for (const upstream::FaultRef& f : removed) {
    registry.fault_events.get({"removed"})->add(slot);
    spdlog::warn("fault removed: {}", describe(*f));
  }
  return {200, fmt::format("{{\"removed\":{}}}\n", removed.size())};
}

}  // namespace

bool is_faults_path(std::string_view path) {
  return path == "/faults" || path.starts_with("/faults/");
}

AdminReply handle_faults(http::Method method, std::string_view path, std::string_view body,
                         const proxy::Runtime& runtime, upstream::FaultTable& faults,
                         obs::Registry& registry, unsigned slot) {
  if (path == "/faults") {
    switch (method) {
      case http::Method::kPost:
        return inject(body, runtime, faults, registry, slot);
      case http::Method::kGet:
      case http::Method::kHead:
        return list(faults);
      case http::Method::kDelete:
        return remove_all(faults, registry, slot);
      default:
        return error_reply(405, "use GET, POST or DELETE on /faults");
    }
  }
  if (method != http::Method::kDelete) return error_reply(405, "use DELETE on /faults/{id}");
  return remove_one(path.substr(std::string_view("/faults/").size()), faults, registry, slot);
}

}  // namespace edgefront::server
