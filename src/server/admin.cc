#include "server/admin.h"

#include <fmt/format.h>

#include "http/error_page.h"
#include "server/admin_access.h"
#include "server/admin_cache.h"
#include "server/admin_faults.h"
#include "server/status_page.h"

namespace edgefront::server {

namespace {

constexpr size_t kMaxAdminBody = 64 * 1024;

net::awaitable<void> reply(http::Exchange& ex, int status, std::string_view content_type,
                           std::string body, http::HeaderList extra = {}) {
  http::ResponseHead head;
  head.status = status;
  head.headers.add("Server", "edgefront");
  head.headers.add("Content-Type", content_type);
  head.headers.add("Cache-Control", "no-store");
  for (const auto& [name, value] : extra.fields()) head.headers.add(name, value);
  if (!(co_await ex.response.send_head(std::move(head), http::BodyLength::known(body.size())))
           .ok()) {
    co_return;
  }
  if (!(co_await ex.response.send_body(body)).ok()) co_return;
  (void)co_await ex.response.finish();
}
std::string json_string(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* selection_name(config::OriginGroup::Selection s) {
  return s == config::OriginGroup::Selection::kCloudFront ? "cloudfront" : "health-aware";
}

// Health gauges, computed at scrape time from the live OriginHealth objects.
std::string render_health_gauges(const proxy::Runtime& rt) {
  std::string out =
      "# HELP edgefront_origin_available 1 if the origin takes new requests (healthy, not "
      "ejected).\n# TYPE edgefront_origin_available gauge\n";
  SteadyTime now = std::chrono::steady_clock::now();
  for (const proxy::RuntimeDistribution& d : rt.distributions()) {
    for (const auto& o : d.origins) {
      out += fmt::format("edgefront_origin_available{{distribution={},origin={}}} {}\n",
                         json_string(d.config->id), json_string(o->config->id),
                         o->health->available(now) ? 1 : 0);
    }
  }
  return out;
}

// A group's failover figures for GET /origins: attempts per request and time to failover
// (bucket bounds: the Prometheus histograms hold the detail).
std::string failover_summary(const proxy::RuntimeTarget& t) {
  obs::HistogramSnapshot attempts = t.attempts ? t.attempts->snapshot() : obs::HistogramSnapshot{};
  obs::HistogramSnapshot ttf =
      t.time_to_failover ? t.time_to_failover->snapshot() : obs::HistogramSnapshot{};
  auto mean = [](const obs::HistogramSnapshot& h, double scale) {
    return h.count ? h.sum * scale / static_cast<double>(h.count) : 0.0;
  };
  uint64_t stopped = 0;
  for (obs::Counter* c : t.failover_stopped) stopped += c ? c->value() : 0;
  return fmt::format(
      ",\"requests\":{},\"attempts_per_request\":{{\"mean\":{:.3f},\"p99_le\":{}}},"
      "\"failed_over\":{},\"failover_stopped\":{},"
      "\"time_to_failover_ms\":{{\"mean\":{:.3f},\"p50_le\":{},\"p99_le\":{}}}",
      attempts.count, mean(attempts, 1), attempts.quantile_bound(0.99), ttf.count, stopped,
      mean(ttf, 1000), ttf.quantile_bound(0.5) * 1000, ttf.quantile_bound(0.99) * 1000);
}

// GET /origins: every origin's health and counters, and every group's members and mode.
std::string render_origins(const proxy::Runtime& rt) {
  SteadyTime now = std::chrono::steady_clock::now();
  std::string out = "{\"distributions\":[";
  bool first_d = true;
  for (const proxy::RuntimeDistribution& d : rt.distributions()) {
    if (!first_d) out += ',';
    first_d = false;
    out += fmt::format("{{\"id\":{},\"origins\":[", json_string(d.config->id));
    bool first_o = true;
    for (const auto& o : d.origins) {
      if (!first_o) out += ',';
      first_o = false;
      upstream::HealthView h = o->health->view(now);
      const proxy::OriginStats& st = o->stats;
      out += fmt::format(
          "{{\"id\":{},\"kind\":\"{}\",\"address\":{},\"available\":{},"
          "\"active_check\":{},\"active_healthy\":{},\"ejected\":{},\"ejected_for_ms\":{},"
          "\"ejections\":{},\"consecutive_failures\":{},\"requests\":{},\"served\":{},"
          "\"errors\":{{\"connect\":{},\"timeout\":{},\"closed\":{},\"bad_response\":{},"
          "\"status\":{},\"at_limit\":{},\"body\":{},\"abandoned\":{}}},"
          "\"body_continuations\":{},\"in_flight\":{},\"connect_time_us\":{},"
          "\"response_time_us\":{:.0f}}}",
          json_string(o->config->id), o->config->is_directory() ? "directory" : "http",
          json_string(o->config->is_directory()
                          ? o->config->directory
                          : fmt::format("{}:{}", o->config->domain_name, o->config->http_port)),
          o->health->available(now), o->config->health_check.enabled, h.active_healthy, h.ejected,
          h.ejected_for_ms, h.ejections, h.consecutive_failures, st.requests->value(),
          st.served->value(), st.connect_errors->value(), st.timeouts->value(), st.closed->value(),
          st.bad_responses->value(), st.failover_statuses->value(), o->at_limit->value(),
          st.body_errors->value(), st.abandoned->value(), st.continuations->value(),
          o->in_flight->current(),
          o->connect_rtt->smoothed() ? o->connect_rtt->smoothed()->count() : 0,
          o->latency->microseconds());
    }
    out += "],\"groups\":[";
    bool first_g = true;
    for (const config::OriginGroup& g : d.config->origin_groups) {
      if (!first_g) out += ',';
      first_g = false;
      auto t = d.targets.find(g.id);
      out += fmt::format("{{\"id\":{},\"selection\":\"{}\",\"members\":[", json_string(g.id),
                         selection_name(g.selection));
      for (size_t i = 0; i < g.member_origin_ids.size(); ++i) {
        if (i) out += ',';
        uint64_t failovers = t != d.targets.end() && t->second.failovers_from[i]
                                 ? t->second.failovers_from[i]->value()
                                 : 0;
        out += fmt::format("{{\"origin\":{},\"failovers_from\":{}}}",
                           json_string(g.member_origin_ids[i]), failovers);
      }
      out += "]";
      if (t != d.targets.end()) out += failover_summary(t->second);
      out += "}";
    }
    out += "]}";
  }
  out += "]}\n";
  return out;
}

}  // namespace

net::awaitable<bool> AdminHandler::serve_status_page(http::Exchange& ex, std::string_view path) {
  struct File {
    std::string_view path, content_type, body;
  };
  const File files[] = {{"/", "text/html; charset=utf-8", kStatusPageHtml},
                        {"/status.js", "text/javascript; charset=utf-8", kStatusPageJs},
                        {"/status.css", "text/css; charset=utf-8", kStatusPageCss}};
  for (const File& f : files) {
    if (path != f.path) continue;
    http::HeaderList extra;
    // Only the binary's own files run on the page, and it is never framed.
    extra.add("Content-Security-Policy",
              "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    extra.add("X-Content-Type-Options", "nosniff");
    co_await reply(ex, 200, f.content_type, std::string(f.body), std::move(extra));
    co_return true;
  }
  co_return false;
}

net::awaitable<void> AdminHandler::handle(http::Exchange& ex) {
  // The status page's files hold no data: a browser loads them without the token, and the
  // page sends it (Authorization) with each /status.json.
  if (status_ &&
      (ex.request.method == http::Method::kGet || ex.request.method == http::Method::kHead)) {
    if (co_await serve_status_page(ex, ex.request.path())) co_return;
  }
  const std::string& token = runtime_.load()->config().server.admin_token;
  AdminRequestFacts facts{ex.request.method, ex.request.headers.get("Authorization"),
                          ex.request.headers.get("Origin"), ex.request.headers.get("Host")};
  switch (decide_admin_access(facts, token)) {
    case AdminAccess::kAllow:
      break;
    case AdminAccess::kUnauthorized:
      co_await reply(ex, 401, "text/plain", "unauthorized\n");
      co_return;
    case AdminAccess::kForbidden:
      co_await reply(ex, 403, "text/plain",
                     "forbidden: without server.admin_token, writes need a loopback Host "
                     "(localhost, 127.0.0.1, [::1]) and no Origin header\n");
      co_return;
  }
  std::string_view path = ex.request.path();
  bool read = ex.request.method == http::Method::kGet || ex.request.method == http::Method::kHead;
  if (path == "/metrics" && read) {
    co_await reply(ex, 200, "text/plain; version=0.0.4",
                   registry_.render() + render_health_gauges(*runtime_.load()));
  } else if (path == "/status.json" && read && status_) {
    co_await reply(ex, 200, "application/json", status_->render_json());
  } else if (path == "/origins" && read) {
    co_await reply(ex, 200, "application/json", render_origins(*runtime_.load()));
  } else if (faults_ != nullptr && is_faults_path(path)) {
    std::string body;
    while (true) {
      auto chunk = co_await ex.body.read();
      if (!chunk.ok() || body.size() + chunk.value().size() > kMaxAdminBody) {
        co_await reply(ex, chunk.ok() ? 413 : 400, "application/json",
                       "{\"error\":\"unreadable or too large request body\"}\n");
        co_return;
      }
      if (chunk.value().empty()) break;
      body.append(chunk.value().data(), chunk.value().size());
    }
    AdminReply r = handle_faults(ex.request.method, path, body, *runtime_.load(), *faults_,
                                 registry_, registry_.slots() - 1);
    co_await reply(ex, r.status, "application/json", std::move(r.body));
  } else if (co_await handle_cache_admin(ex, *runtime_.load(), invalidations_, store_, disk_,
                                         test_clock_)) {
    co_return;
  } else if (path == "/healthz" && read) {
    co_await reply(ex, 200, "text/plain", "ok\n");
  } else {
    co_await reply(ex, 404, "text/plain", "not found\n");
  }
}

}  // namespace edgefront::server
