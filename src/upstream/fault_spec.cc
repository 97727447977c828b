#include "upstream/fault_spec.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace edgefront::upstream {

namespace {

using nlohmann::json;

Error bad(std::string why) { return make_error(ErrorKind::kBadRequest, Fault::kViewer, why); }

// An unsigned integer field within [min, max]; absent is an error only if `required`.
Result<uint64_t> integer_field(const json& body, const char* name, uint64_t min, uint64_t max,
                               bool required) {
  auto it = body.find(name);
  if (it == body.end()) {
    if (required) return bad(fmt::format("{} is required for this kind", name));
    return min;
  }
  if (!it->is_number_integer()) return bad(fmt::format("{}: expected an integer", name));
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v >= min && v <= max) return v;
  } else {
    int64_t v = it->get<int64_t>();
    if (v >= 0 && static_cast<uint64_t>(v) >= min && static_cast<uint64_t>(v) <= max) {
      return static_cast<uint64_t>(v);
    }
  }
  return bad(fmt::format("{}: expected an integer {}-{}", name, min, max));
}

Result<FaultKind> parse_kind(std::string_view s) {
  if (s == "refuse") return FaultKind::kRefuse;
  if (s == "blackhole") return FaultKind::kBlackhole;
  if (s == "delay") return FaultKind::kDelay;
  if (s == "status") return FaultKind::kStatus;
  if (s == "reset_mid_body") return FaultKind::kResetMidBody;
  return bad("kind: expected refuse, blackhole, delay, status or reset_mid_body");
}

}  // namespace

const char* fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kRefuse:
      return "refuse";
    case FaultKind::kBlackhole:
      return "blackhole";
    case FaultKind::kDelay:
      return "delay";
    case FaultKind::kStatus:
      return "status";
    case FaultKind::kResetMidBody:
      return "reset_mid_body";
  }
  return "unknown";
}

Result<FaultSpec> parse_fault_spec(std::string_view text) {
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return bad("body: expected a JSON object");
  if (!body.is_object()) return bad("body: expected a JSON object");
  for (const auto& [key, value] : body.items()) {
    (void)value;
    if (key != "origin" && key != "kind" && key != "distribution" && key != "delay_ms" &&
        key != "status" && key != "after_bytes") {
      return bad(fmt::format("{}: unknown field", key));
    }
  }
  FaultSpec spec;
  auto origin = body.find("origin");
  if (origin == body.end() || !origin->is_string() ||
      origin->get_ref<const std::string&>().empty()) {
    return bad("origin: expected an origin id");
  }
  spec.origin = origin->get<std::string>();
  if (auto dist = body.find("distribution"); dist != body.end()) {
    if (!dist->is_string()) return bad("distribution: expected a distribution id");
    spec.distribution = dist->get<std::string>();
  }
  auto kind = body.find("kind");
  if (kind == body.end() || !kind->is_string()) {
    return bad("kind: expected refuse, blackhole, delay, status or reset_mid_body");
  }
  auto parsed_kind = parse_kind(kind->get_ref<const std::string&>());
  if (!parsed_kind.ok()) return parsed_kind.error();
  spec.kind = parsed_kind.value();

  // Each kind takes its own parameter and no other, so a typo cannot pass unnoticed.
  const char* param = spec.kind == FaultKind::kDelay          ? "delay_ms"
                      : spec.kind == FaultKind::kStatus       ? "status"
                      : spec.kind == FaultKind::kResetMidBody ? "after_bytes"
                                                              : nullptr;
  for (const char* name : {"delay_ms", "status", "after_bytes"}) {
    if (body.contains(name) && (param == nullptr || std::string_view(name) != param)) {
      return bad(fmt::format("{}: does not apply to kind {}", name, fault_kind_name(spec.kind)));
    }
  }
  switch (spec.kind) {
    case FaultKind::kDelay: {
      auto v = integer_field(body, "delay_ms", 1, kMaxFaultDelayMs, true);
      if (!v.ok()) return v.error();
      spec.delay_ms = static_cast<uint32_t>(v.value());
      break;
    }
    case FaultKind::kStatus: {
      auto v = integer_field(body, "status", 200, 599, true);
      if (!v.ok()) return v.error();
      spec.status = static_cast<int>(v.value());
      break;
    }
    case FaultKind::kResetMidBody: {
      auto v = integer_field(body, "after_bytes", 0, UINT64_MAX >> 1, false);
      if (!v.ok()) return v.error();
      spec.after_bytes = v.value();
      break;
    }
    case FaultKind::kRefuse:
    case FaultKind::kBlackhole:
      break;
  }
  return spec;
}

std::string fault_spec_json(uint64_t id, const FaultSpec& spec, uint64_t applied) {
  json out = {{"id", id},
              {"distribution", spec.distribution.empty() ? json(nullptr) : json(spec.distribution)},
              {"origin", spec.origin},
              {"kind", fault_kind_name(spec.kind)},
              {"applied", applied}};
  if (spec.kind == FaultKind::kDelay) out["delay_ms"] = spec.delay_ms;
  if (spec.kind == FaultKind::kStatus) out["status"] = spec.status;
  if (spec.kind == FaultKind::kResetMidBody) out["after_bytes"] = spec.after_bytes;
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace edgefront::upstream
