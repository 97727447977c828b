#include "proxy/runtime.h"

#include <fmt/format.h>

#include "upstream/tls_client.h"

namespace edgefront::proxy {

namespace {

OriginStats make_origin_stats(obs::Registry& r, const std::string& dist, const std::string& id) {
  OriginStats s;
  s.requests = r.origin_requests.get({dist, id});
  for (int c = 0; c < 5; ++c) {
    s.responses_by_class[c] = r.origin_responses.get({dist, id, fmt::format("{}xx", c + 1)});
  }
  s.connect_errors = r.origin_errors.get({dist, id, "connect"});
  s.timeouts = r.origin_errors.get({dist, id, "timeout"});
  s.closed = r.origin_errors.get({dist, id, "closed"});
  s.bad_responses = r.origin_errors.get({dist, id, "bad_response"});
  s.body_errors = r.origin_errors.get({dist, id, "body"});
  s.abandoned = r.origin_errors.get({dist, id, "abandoned"});
  s.continuations = r.origin_continuations.get({dist, id});
  s.failover_statuses = r.origin_errors.get({dist, id, "status"});
  s.served = r.origin_served.get({dist, id});
  s.ejections = r.origin_ejections.get({dist, id});
  s.latency = r.origin_latency.get({dist, id});
  return s;
}

}  // namespace

Result<std::shared_ptr<const Runtime>> Runtime::build(std::shared_ptr<const config::Config> config,
                                                      obs::Registry& registry,
                                                      upstream::HealthRegistry& health,
                                                      const upstream::FaultTable* faults,
                                                      const StepProvider* step_provider) {
  auto rt = std::make_shared<Runtime>();
  rt->faults_ = faults;
  rt->config_ = config;
  rt->registry_ = &registry;
  rt->router_ = std::make_unique<routing::Router>(*config);
  for (int c = 0; c < 5; ++c) {
    rt->requests_by_class_[c] = registry.requests.get({fmt::format("{}xx", c + 1)});
  }
  static constexpr const char* kCacheResultNames[] = {"hit",         "collapsed", "stale",
                                                      "refresh_hit", "miss",      "pass"};
  for (int i = 0; i < static_cast<int>(CacheResult::kCount); ++i) {
    rt->cache_lookups_[i] = registry.cache_lookups.get({kCacheResultNames[i]});
  }
  rt->distributions_.reserve(config->distributions.size());
  for (const config::Distribution& d : config->distributions) {
    RuntimeDistribution& rd = rt->distributions_.emplace_back();
    rd.config = &d;
    rd.metrics = obs::DistributionMetrics(registry, d.id);
    std::unordered_map<std::string, const RuntimeOrigin*> by_id;
    for (const config::Origin& o : d.origins) {
      auto ro = std::make_unique<RuntimeOrigin>();
      ro->config = &o;
      if (o.is_directory()) {
        auto dir = upstream::DirectoryOrigin::open(o.directory);
        if (!dir.ok()) {
          return make_error(ErrorKind::kInternal, Fault::kInternal,
                            fmt::format("origin {}: {}", o.id, dir.error().message));
        }
        ro->directory = std::make_shared<const upstream::DirectoryOrigin>(std::move(dir.value()));
      }
      ro->http_endpoint = upstream::OriginEndpoint{o.domain_name, o.http_port, false, nullptr};
      ro->https_endpoint = upstream::OriginEndpoint{o.domain_name, o.https_port, true, nullptr};
      auto tls_settings = upstream::origin_tls_settings(o);
      if (!tls_settings.ok()) {
        return make_error(ErrorKind::kInternal, Fault::kInternal,
                          fmt::format("origin {}: {}", o.id, tls_settings.error().message));
      }
      ro->https_endpoint.tls_settings = std::move(tls_settings.value());
      ro->stats = make_origin_stats(registry, d.id, o.id);
      upstream::OriginLiveState* live = health.state(d.id, o.id);
      ro->health = &live->health;
      ro->connect_rtt = &live->connect_rtt;
      ro->retry_budget = &live->retry_budget;
      ro->in_flight = &live->in_flight;
      ro->latency = &live->latency;
      ro->at_limit = registry.origin_errors.get({d.id, o.id, "at_limit"});
      by_id[o.id] = ro.get();
      RuntimeTarget& single = rd.targets[o.id];
      single.members.push_back(ro.get());
      single.failovers_from.push_back(nullptr);
      single.attempts = registry.attempts_per_request.get({d.id, o.id});
      rd.origins.push_back(std::move(ro));
    }
    for (const config::OriginGroup& g : d.origin_groups) {
      RuntimeTarget& t = rd.targets[g.id];
      t.group = &g;
      t.failover_stopped = {registry.failover_stopped.get({d.id, g.id, "attempts"}),
                            registry.failover_stopped.get({d.id, g.id, "time"}),
                            registry.failover_stopped.get({d.id, g.id, "retry_budget"})};
      t.hedges = registry.hedges.get({d.id, g.id});
      t.attempts = registry.attempts_per_request.get({d.id, g.id});
      t.time_to_failover = registry.time_to_failover.get({d.id, g.id});
      for (const std::string& member : g.member_origin_ids) {
        auto it = by_id.find(member);
        if (it == by_id.end()) {
          return make_error(ErrorKind::kInternal, Fault::kInternal,
                            fmt::format("origin group {}: unknown member {}", g.id, member));
        }
        t.members.push_back(it->second);
        t.failovers_from.push_back(registry.origin_failovers.get({d.id, g.id, member}));
      }
    }
    for (const config::CustomErrorResponse& e : d.custom_error_responses) {
      rd.custom_errors[e.error_code] = &e;
    }
    if (step_provider) {
      auto add_steps = [&](const config::CacheBehavior& b) {
        PhaseSteps steps = step_provider->steps_for(d, b);
        if (!steps.empty()) rd.steps.emplace(&b, std::move(steps));
      };
      add_steps(d.default_behavior);
      for (const config::CacheBehavior& b : d.behaviors) add_steps(b);
    }
  }
  return std::shared_ptr<const Runtime>(std::move(rt));
}

const RuntimeDistribution& Runtime::distribution(const config::Distribution* d) const {
  for (const RuntimeDistribution& rd : distributions_) {
    if (rd.config == d) return rd;
  }
  return distributions_.front();
}

std::vector<upstream::ProbeTarget> Runtime::probe_targets() const {
  std::vector<upstream::ProbeTarget> out;
  for (const RuntimeDistribution& d : distributions_) {
    for (const auto& o : d.origins) {
      out.push_back({o->config, o->health, d.config->id, faults_, o->https_endpoint.tls_settings});
    }
  }
  return out;
}

obs::Counter* Runtime::requests_by_class(int status) const {
  int c = status / 100;
  if (c < 1 || c > 5) c = 5;
  return requests_by_class_[c - 1];
}

void RuntimeHolder::publish(std::shared_ptr<const Runtime> runtime) {
  current_.store(std::move(runtime), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace edgefront::proxy
