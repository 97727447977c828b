#include "server/admin_cache.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace edgefront::server {

namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 1 << 20;

net::awaitable<void> reply_json(http::Exchange& ex, int status, const json& body,
                                http::HeaderList extra = {}) {
  std::string text = body.dump(2) + "\n";
  http::ResponseHead head;
  head.status = status;
  head.headers.add("Server", "edgefront");
  head.headers.add("Content-Type", "application/json");
  head.headers.add("Cache-Control", "no-store");
  for (auto& [name, value] : extra.fields()) head.headers.add(name, value);
  if (!(co_await ex.response.send_head(std::move(head), http::BodyLength::known(text.size())))
           .ok()) {
    co_return;
  }
  if (!(co_await ex.response.send_body(text)).ok()) co_return;
  (void)co_await ex.response.finish();
}

net::awaitable<void> reply_error(http::Exchange& ex, int status, std::string_view code,
                                 std::string message) {
  json body;
  body["Error"]["Code"] = std::string(code);
  body["Error"]["Message"] = std::move(message);
  co_await reply_json(ex, status, body);
}

std::string iso_time(SystemTime t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(t));
}

json invalidation_json(const cache::Invalidation& inv) {
  return json{{"Id", inv.id},
              {"Status", "Completed"},
              {"CreateTime", iso_time(inv.create_time)},
              {"DistributionId", inv.distribution_id},
              {"InvalidationBatch",
               {{"Paths", {{"Quantity", inv.paths.size()}, {"Items", inv.paths}}},
                {"CallerReference", inv.caller_reference}}}};
}

// (GCC 12 miscompiles braced json initialisers inside coroutines: build documents here.)
json wrap(std::string_view key, json value) {
  json out;
  out[std::string(key)] = std::move(value);
  return out;
}

json invalidation_list(const std::vector<cache::Invalidation>& list) {
  json items = json::array();
  for (const auto& inv : list) {
    items.push_back({{"Id", inv.id},
                     {"Status", "Completed"},
                     {"CreateTime", iso_time(inv.create_time)},
                     {"DistributionId", inv.distribution_id}});
  }
  return json{{"InvalidationList", {{"Quantity", items.size()}, {"Items", items}}}};
}

json cache_stats(const cache::InvalidationBoard& invalidations, const cache::MemoryStore* store,
                 const cache::DiskStore* disk) {
  json out = {{"enabled", store != nullptr}};
  if (store) {
    cache::StoreStats s = store->stats();
    out["memory"] = {{"objects", s.objects},
                     {"bytes", s.bytes},
                     {"capacity_bytes", s.capacity},
                     {"evictions", s.evictions},
                     {"max_object_bytes", store->max_object_bytes()}};
  }
  if (disk) {
    cache::DiskStats d = disk->stats();
    out["disk"] = {{"path", disk->directory()},
                   {"objects", d.objects},
                   {"bytes", d.bytes},
                   {"capacity_bytes", d.capacity},
                   {"hits", d.hits},
                   {"misses", d.misses},
                   {"writes", d.writes},
                   {"write_drops", d.write_drops},
                   {"evictions", d.evictions},
                   {"corrupt", d.corrupt},
                   {"invalidated", d.invalidated},
                   {"index_bytes", d.index_bytes}};
  }
  out["invalidation_sequence"] = invalidations.sequence();
  return out;
}

// The distribution an invalidation is for: "DistributionId" in the body or ?distribution=,
// else the only one (or the first).
const config::Distribution* pick_distribution(const proxy::Runtime& rt, std::string_view id) {
  for (const proxy::RuntimeDistribution& d : rt.distributions()) {
    if (id.empty() || d.config->id == id) return d.config;
  }
  return nullptr;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
      return std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

net::awaitable<void> create_invalidation(http::Exchange& ex, const proxy::Runtime& rt,
                                         cache::InvalidationBoard& board) {
  std::string body;
  while (true) {
    auto chunk = co_await ex.body.read();
    if (!chunk.ok()) {
      co_await reply_error(ex, 400, "InvalidArgument", chunk.error().message);
      co_return;
    }
    if (chunk.value().empty()) break;
    body.append(chunk.value().data(), chunk.value().size());
    if (body.size() > kMaxBody) {
      co_await reply_error(ex, 413, "InvalidArgument", "request body over 1 MiB");
      co_return;
    }
  }
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    co_await reply_error(ex, 400, "MalformedInput", "the body is not a JSON object");
    co_return;
  }
  // Accept CloudFront's request shape with or without the InvalidationBatch wrapper.
  const json& batch = doc.contains("InvalidationBatch") ? doc["InvalidationBatch"] : doc;
  std::vector<std::string> paths;
  std::string caller_reference;
  std::string dist_id = query_param(ex.request.query(), "distribution");
  if (doc.contains("DistributionId") && doc["DistributionId"].is_string()) {
    dist_id = doc["DistributionId"].get<std::string>();
  }
  if (!batch.is_object()) {
    co_await reply_error(ex, 400, "MalformedInput", "InvalidationBatch must be an object");
    co_return;
  }
  if (batch.contains("Paths")) {
    const json& p = batch["Paths"];
    const json* items = p.is_object() && p.contains("Items") ? &p["Items"] : &p;
    if (!items->is_array()) {
      co_await reply_error(ex, 400, "MalformedInput", "Paths.Items must be an array of strings");
      co_return;
    }
    for (const json& item : *items) {
      if (!item.is_string()) {
        co_await reply_error(ex, 400, "MalformedInput", "Paths.Items must be strings");
        co_return;
      }
      paths.push_back(item.get<std::string>());
    }
    if (p.is_object() && p.contains("Quantity") &&
        (!p["Quantity"].is_number_unsigned() || p["Quantity"].get<size_t>() != paths.size())) {
      co_await reply_error(ex, 400, "InvalidArgument",
                           "Paths.Quantity does not match the number of Items");
      co_return;
    }
  }
  // Extensions: purge by tag or prefix without CloudFront's path syntax.
  for (std::string_view field : {"Tags", "Prefixes"}) {
    if (!batch.contains(field)) continue;
    if (!batch[field].is_array()) {
      co_await reply_error(ex, 400, "MalformedInput", fmt::format("{} must be an array", field));
      co_return;
    }
    for (const json& item : batch[field]) {
      if (!item.is_string()) {
        co_await reply_error(ex, 400, "MalformedInput", fmt::format("{} must be strings", field));
        co_return;
      }
      std::string v = item.get<std::string>();
      paths.push_back(field == "Tags" ? "#" + v : v + "*");
    }
  }
  if (batch.contains("CallerReference")) {
    if (!batch["CallerReference"].is_string()) {
      co_await reply_error(ex, 400, "MalformedInput", "CallerReference must be a string");
      co_return;
    }
    caller_reference = batch["CallerReference"].get<std::string>();
  }
  const config::Distribution* dist = pick_distribution(rt, dist_id);
  if (!dist) {
    co_await reply_error(ex, 404, "NoSuchDistribution", fmt::format("no distribution {}", dist_id));
    co_return;
  }
  auto inv = board.submit(dist->id, caller_reference, paths, std::chrono::system_clock::now());
  if (!inv.ok()) {
    bool exists = inv.error().message.starts_with("InvalidationBatchAlreadyExists");
    co_await reply_error(ex, exists ? 409 : 400,
                         exists ? "InvalidationBatchAlreadyExists" : "InvalidArgument",
                         inv.error().message);
    co_return;
  }
  spdlog::info("invalidation {} on distribution {}: {} path(s)", inv->id, dist->id,
               inv->paths.size());
  http::HeaderList extra;
  extra.add("Location", fmt::format("/invalidations/{}", inv->id));
  co_await reply_json(ex, 201, wrap("Invalidation", invalidation_json(inv.value())),
                      std::move(extra));
}

}  // namespace

net::awaitable<bool> handle_cache_admin(http::Exchange& ex, const proxy::Runtime& runtime,
                                        cache::InvalidationBoard& invalidations,
                                        const cache::MemoryStore* store,
                                        const cache::DiskStore* disk,
                                        OffsetTimeSource* test_clock) {
  std::string_view path = ex.request.path();
  const http::Method m = ex.request.method;
  const bool read = m == http::Method::kGet || m == http::Method::kHead;
  if (path == "/invalidations") {
    if (m == http::Method::kPost) {
      co_await create_invalidation(ex, runtime, invalidations);
    } else if (read) {
      co_await reply_json(
          ex, 200,
          invalidation_list(invalidations.list(query_param(ex.request.query(), "distribution"))));
    } else {
      co_await reply_error(ex, 405, "MethodNotAllowed", "use GET or POST");
    }
    co_return true;
  }
  if (path.starts_with("/invalidations/") && read) {
    auto inv = invalidations.find(path.substr(std::string_view("/invalidations/").size()));
    if (!inv) {
      co_await reply_error(ex, 404, "NoSuchInvalidation", "no such invalidation");
    } else {
      co_await reply_json(ex, 200, wrap("Invalidation", invalidation_json(*inv)));
    }
    co_return true;
  }
  if (path == "/test/clock" && test_clock && m == http::Method::kPost) {
    std::string advance = query_param(ex.request.query(), "advance");
    char* end = nullptr;
    double seconds = std::strtod(advance.c_str(), &end);
    if (advance.empty() || end != advance.c_str() + advance.size() || seconds < 0) {
      co_await reply_error(ex, 400, "InvalidArgument", "advance=SECONDS (>= 0)");
    } else {
      test_clock->advance(std::chrono::nanoseconds(static_cast<int64_t>(seconds * 1e9)));
      co_await reply_json(ex, 200, wrap("offset_seconds", test_clock->offset().count() / 1e9));
    }
    co_return true;
  }
  if (path == "/cache" && read) {
    co_await reply_json(ex, 200, cache_stats(invalidations, store, disk));
    co_return true;
  }
  co_return false;
}

}  // namespace edgefront::server
