#include "server/status_sampler.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace edgefront::server {

namespace {

using nlohmann::json;

int64_t unix_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

int64_t wall_ms() { return unix_ms(std::chrono::system_clock::now()); }

obs::OriginHealthSample health_sample(const proxy::RuntimeOrigin& o, SteadyTime now) {
  upstream::HealthView v = o.health->view(now);
  return {o.health->available(now), v.ejected, v.active_healthy,
          o.stats.ejections ? o.stats.ejections->value() : 0};
}

std::string describe_fault(const upstream::FaultSpec& f) {
  std::string what = upstream::fault_kind_name(f.kind);
  switch (f.kind) {
    case upstream::FaultKind::kStatus:
      what += fmt::format(" {}", f.status);
      break;
    case upstream::FaultKind::kDelay:
      what += fmt::format(" {} ms", f.delay_ms);
      break;
    case upstream::FaultKind::kResetMidBody:
      what += fmt::format(" after {} bytes", f.after_bytes);
      break;
    default:
      break;
  }
  return fmt::format("{} on {}", what, f.origin);
}

// Milliseconds of a histogram's growth between two snapshots: mean and p99 bucket bound.
obs::HistogramSnapshot growth(const obs::HistogramSnapshot& now,
                              const obs::HistogramSnapshot& was) {
  obs::HistogramSnapshot d = now;
  d.count -= std::min(was.count, now.count);
  d.sum -= was.sum;
  for (size_t i = 0; i < d.counts.size() && i < was.counts.size(); ++i) {
    d.counts[i] -= std::min(was.counts[i], d.counts[i]);
  }
  return d;
}

json nullable(double v, bool present) { return present ? json(v) : json(nullptr); }

}  // namespace

void StatusSampler::sample() {
  std::shared_ptr<const proxy::Runtime> rt = runtime_.load();
  const int64_t now_ms = wall_ms();
  for (const proxy::RuntimeDistribution& d : rt->distributions()) {
    DistSeries& s = distributions_[d.config->id];
    obs::DistributionMetrics::Totals t = d.metrics.totals();
    const obs::DistributionMetrics::Totals& p = s.last;
    s.points.push({now_ms, t.requests - p.requests, t.lookups - p.lookups, t.hits - p.hits,
                   t.by_class[3] - p.by_class[3], t.by_class[4] - p.by_class[4],
                   t.bytes_downloaded - p.bytes_downloaded});
    s.last = t;
    for (const auto& o : d.origins) {
      OriginSeries& os = origin_series_[{d.config->id, o->config->id}];
      obs::HistogramSnapshot h = o->stats.latency->snapshot();
      obs::HistogramSnapshot g = growth(h, os.last);
      double mean = g.count ? g.sum * 1000 / static_cast<double>(g.count) : 0;
      os.points.push({now_ms, g.count, mean, g.quantile_bound(0.99) * 1000});
      os.last = std::move(h);
    }
  }
  watch();
}

void StatusSampler::watch() {
  std::shared_ptr<const proxy::Runtime> rt = runtime_.load();
  const int64_t now_ms = wall_ms();
  // Causes before effects, when both are seen in one look: a fault, then its failover.
  watch_faults(now_ms);
  watch_invalidations(now_ms);
  for (const proxy::RuntimeDistribution& d : rt->distributions()) {
    watch_origins(d, now_ms);
    watch_groups(d, now_ms);
  }
}

void StatusSampler::add_event(int64_t now_ms, std::string kind, std::string distribution,
                              std::string subject, std::string detail) {
  events_.push(
      {now_ms, std::move(kind), std::move(distribution), std::move(subject), std::move(detail)});
}

void StatusSampler::watch_origins(const proxy::RuntimeDistribution& d, int64_t now_ms) {
  const SteadyTime now = std::chrono::steady_clock::now();
  for (const auto& o : d.origins) {
    obs::OriginHealthSample after = health_sample(*o, now);
    auto [it, first_look] = health_.try_emplace({d.config->id, o->config->id}, after);
    if (first_look) continue;
    for (const char* kind : obs::health_events(it->second, after)) {
      std::string detail;
      if (std::string_view(kind) == "ejection") {
        detail = fmt::format("ejected for {} ms (ejection #{})",
                             o->health->view(now).ejected_for_ms, after.ejections);
      } else if (std::string_view(kind) == "unhealthy") {
        detail = "active health check failing";
      } else {
        detail = "available again";
      }
      add_event(now_ms, kind, d.config->id, o->config->id, std::move(detail));
    }
    it->second = after;
  }
}

void StatusSampler::watch_groups(const proxy::RuntimeDistribution& d, int64_t now_ms) {
  const SteadyTime now = std::chrono::steady_clock::now();
  for (const config::OriginGroup& g : d.config->origin_groups) {
    auto t = d.targets.find(g.id);
    if (t == d.targets.end()) continue;
    const proxy::RuntimeTarget& target = t->second;
    GroupWatch& w = groups_[{d.config->id, g.id}];
    const size_t n = target.members.size();
    std::vector<uint64_t> served(n), failovers(n), served_delta(n);
    std::string moved_from;
    uint64_t failover_total = 0;
    const bool first_look = w.served.size() != n;
    for (size_t i = 0; i < n; ++i) {
      served[i] = target.members[i]->stats.served->value();
      failovers[i] = target.failovers_from[i] ? target.failovers_from[i]->value() : 0;
      failover_total += failovers[i];
      if (first_look) continue;
      served_delta[i] = served[i] - std::min(served[i], w.served[i]);
      if (failovers[i] > w.failovers[i]) {
        if (!moved_from.empty()) moved_from += ", ";
        moved_from += target.members[i]->config->id;
      }
    }
    const int was_serving = w.serving;
    if (!first_look) w.serving = obs::serving_member(served_delta, w.serving);
    const bool episode = w.episodes.note(failover_total, now);
    w.served = std::move(served);
    w.failovers = std::move(failovers);
    if (episode) {
      const std::string to =
          w.serving >= 0 ? target.members[static_cast<size_t>(w.serving)]->config->id : "?";
      add_event(now_ms, "failover", d.config->id, g.id,
                fmt::format("requests moved from {} (now served by {})", moved_from, to));
    }
    if (was_serving >= 0 && w.serving != was_serving) {
      add_event(now_ms, "serving", d.config->id, g.id,
                fmt::format("{} serves (was {})",
                            target.members[static_cast<size_t>(w.serving)]->config->id,
                            target.members[static_cast<size_t>(was_serving)]->config->id));
    }
  }
}

void StatusSampler::watch_faults(int64_t now_ms) {
  if (!faults_) return;
  std::map<uint64_t, upstream::FaultRef> current;
  for (upstream::FaultRef& f : faults_->list()) current.emplace(f->id, std::move(f));
  for (const auto& [id, f] : current) {
    if (!faults_seen_.contains(id)) {
      add_event(now_ms, "fault", f->spec.distribution, fmt::format("#{}", id),
                "injected: " + describe_fault(f->spec));
    }
  }
  for (const auto& [id, f] : faults_seen_) {
    if (!current.contains(id)) {
      add_event(now_ms, "fault", f->spec.distribution, fmt::format("#{}", id),
                "removed: " + describe_fault(f->spec));
    }
  }
  faults_seen_ = std::move(current);
}

void StatusSampler::watch_invalidations(int64_t now_ms) {
  const size_t count = invalidations_.count();
  if (!invalidations_seen_) invalidations_seen_ = count;  // those before the page's time
  for (const cache::Invalidation& inv : invalidations_.since(*invalidations_seen_, kEvents)) {
    std::string paths;
    for (size_t i = 0; i < inv.paths.size() && i < 5; ++i) paths += (i ? " " : "") + inv.paths[i];
    if (inv.paths.size() > 5) paths += fmt::format(" (+{} more)", inv.paths.size() - 5);
    add_event(now_ms, "invalidation", inv.distribution_id, inv.id, std::move(paths));
  }
  invalidations_seen_ = count;
}

int StatusSampler::serving_or_first_available(const proxy::RuntimeTarget& t,
                                              const GroupWatch* w) const {
  if (w && w->serving >= 0) return w->serving;
  const SteadyTime now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < t.members.size(); ++i) {
    if (t.members[i]->health->available(now)) return static_cast<int>(i);
  }
  return t.members.empty() ? -1 : 0;
}

std::string StatusSampler::render_json() {
  watch();
  std::shared_ptr<const proxy::Runtime> rt = runtime_.load();
  const SteadyTime now = std::chrono::steady_clock::now();
  json doc = {{"now_ms", wall_ms()}, {"window_s", kSeconds}};
  json& dists = doc["distributions"] = json::array();
  for (const proxy::RuntimeDistribution& d : rt->distributions()) {
    json series = {{"t", json::array()},        {"requests", json::array()},
                   {"lookups", json::array()},  {"hits", json::array()},
                   {"e4xx", json::array()},     {"e5xx", json::array()},
                   {"bytes_out", json::array()}};
    if (auto s = distributions_.find(d.config->id); s != distributions_.end()) {
      for (const DistPoint& p : s->second.points.items()) {
        series["t"].push_back(p.t_ms);
        series["requests"].push_back(p.requests);
        series["lookups"].push_back(p.lookups);
        series["hits"].push_back(p.hits);
        series["e4xx"].push_back(p.errors_4xx);
        series["e5xx"].push_back(p.errors_5xx);
        series["bytes_out"].push_back(p.bytes_downloaded);
      }
    }
    json origins = json::array();
    for (const auto& o : d.origins) {
      obs::OriginHealthSample h = health_sample(*o, now);
      json latency = {{"t", json::array()}, {"mean_ms", json::array()}, {"p99_ms", json::array()}};
      if (auto s = origin_series_.find({d.config->id, o->config->id}); s != origin_series_.end()) {
        for (const LatencyPoint& p : s->second.points.items()) {
          latency["t"].push_back(p.t_ms);
          latency["mean_ms"].push_back(nullable(p.mean_ms, p.count > 0));
          latency["p99_ms"].push_back(nullable(p.p99_ms, p.count > 0));
        }
      }
      origins.push_back({{"id", o->config->id},
                         {"verdict", obs::health_verdict(h)},
                         {"ejected_for_ms", o->health->view(now).ejected_for_ms},
                         {"served", o->stats.served->value()},
                         {"latency", std::move(latency)}});
    }
    json groups = json::array();
    for (const config::OriginGroup& g : d.config->origin_groups) {
      auto t = d.targets.find(g.id);
      if (t == d.targets.end()) continue;
      auto w = groups_.find({d.config->id, g.id});
      const int serving =
          serving_or_first_available(t->second, w != groups_.end() ? &w->second : nullptr);
      json members = json::array();
      for (size_t i = 0; i < t->second.members.size(); ++i) {
        const proxy::RuntimeOrigin& m = *t->second.members[i];
        members.push_back(
            {{"origin", m.config->id},
             {"verdict", obs::health_verdict(health_sample(m, now))},
             {"failovers_from",
              t->second.failovers_from[i] ? t->second.failovers_from[i]->value() : 0}});
      }
      groups.push_back(
          {{"id", g.id},
           {"serving", serving >= 0 ? json(t->second.members[serving]->config->id) : json(nullptr)},
           {"members", std::move(members)}});
    }
    dists.push_back({{"id", d.config->id},
                     {"series", std::move(series)},
                     {"origins", std::move(origins)},
                     {"groups", std::move(groups)}});
  }
  json& events = doc["events"] = json::array();
  for (const obs::StatusEvent& e : events_.items()) {
    events.push_back({{"t_ms", e.unix_ms},
                      {"kind", e.kind},
                      {"distribution", e.distribution},
                      {"subject", e.subject},
                      {"detail", e.detail}});
  }
  json& faults = doc["faults"] = json::array();
  for (const auto& [id, f] : faults_seen_) {
    faults.push_back({{"id", id},
                      {"distribution", f->spec.distribution},
                      {"fault", describe_fault(f->spec)},
                      {"applied", f->applied ? f->applied->value() : 0}});
  }
  json& invalidations = doc["invalidations"] = json::array();
  for (const cache::Invalidation& inv : invalidations_.since(0, 10)) {
    invalidations.push_back({{"id", inv.id},
                             {"distribution", inv.distribution_id},
                             {"paths", inv.paths},
                             {"t_ms", unix_ms(inv.create_time)}});
  }
  // Replacement, not an exception, for bytes that are not UTF-8 (ids come from the config).
  return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace edgefront::server
