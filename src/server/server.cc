#include "server/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include "config/admin_rules.h"
#include "config/loader.h"
#include "http/h1_server.h"
#include "net/draining_read.h"
#include "net/listener.h"
#include "obs/access_log.h"
#include "proxy/pipeline.h"
#include "server/admin.h"
#include "server/tls_listeners.h"
#include "server/viewer_connection.h"

namespace edgefront::server {

namespace {

using net::tcp;

void report_problems(const config::LoadResult& loaded) {
  for (const std::string& w : loaded.config.warnings) spdlog::warn("config: {}", w);
  for (const std::string& e : loaded.problems.errors) fmt::print(stderr, "{}\n", e);
}

// Logs an exception escaping a detached coroutine instead of terminating the process.
void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("unexpected exception in a connection: {}", ex.what());
  }
}

struct Worker {
  Worker(unsigned i, const proxy::RuntimeHolder& holder, proxy::CacheServices cache)
      : index(i),
        // Sockets never leave their worker, so per-socket reactor locking is skipped; the
        // scheduler stays locked because the control thread posts to workers (drain).
        context(context_storage.emplace(ASIO_CONCURRENCY_HINT_UNSAFE_IO)),
        worker_context(i, holder, cache),
        handler(worker_context) {}
  // Coroutines cut off by the drain deadline are still suspended in the io_context and
  // reference the tracker, handler and pool: destroy them first, while those are alive, and
  // close every socket before the io_context that owns its reactor goes away.
  ~Worker() {
    acceptors.clear();
    worker_context.pool().close_all();
    worker_context.availability_watch().close();
    context_storage.reset();
  }
  unsigned index;
  std::optional<asio::io_context> context_storage;
  asio::io_context& context;
  std::vector<tcp::acceptor> acceptors;
  http::ConnectionTracker tracker;
  proxy::WorkerContext worker_context;
  proxy::ProxyHandler handler;
  std::thread thread;
  bool stopping = false;
};

net::awaitable<void> accept_loop(Worker& w, tcp::acceptor& acceptor,
                                 const proxy::RuntimeHolder& holder, obs::Counter* accepted,
                                 const TlsListeners& tls, size_t listener) {
  while (acceptor.is_open()) {
    std::error_code ec;
    tcp::endpoint peer;  // from accept() itself: no getpeername() per connection
    tcp::socket socket = co_await acceptor.async_accept(peer, net::use_ec(ec));
    if (ec) {
      if (!acceptor.is_open() || ec == asio::error::operation_aborted) break;
      // Out of descriptors and the like: back off briefly instead of spinning.
      asio::steady_timer pause(w.context, std::chrono::milliseconds(20));
      co_await pause.async_wait(net::use_ec(ec));
      continue;
    }
    accepted->add(w.index);
    // Before any byte, including the TLS handshake's: small records must not wait on Nagle.
    socket.set_option(tcp::no_delay(true), ec);
    // Keep-alive reads then wait for readiness instead of failing a recv first (draining_read.h).
    net::enable_drain_hint(socket);
    http::ViewerConnection viewer;
    viewer.peer_ip = peer.address().to_string();
    viewer.peer_port = peer.port();
    viewer.worker_index = w.index;
    const config::Limits& limits = holder.load()->config().server.limits;
    if (auto context = tls.context(listener)) {
      asio::co_spawn(w.context,
                     serve_tls_viewer(std::move(socket), std::move(context), w.handler, limits,
                                      w.tracker, viewer),
                     log_exception);
    } else {
      asio::co_spawn(w.context,
                     serve_plain_viewer(std::move(socket), w.handler, limits, w.tracker, viewer),
                     log_exception);
    }
  }
}

// The admin listener, on the control thread. A named coroutine, not a capturing lambda: a
// lambda's captures die with the lambda object while its coroutine frame lives on.
// Shares the acceptor: a reload that moves the admin listener closes this one while the loop is
// still suspended in it.
net::awaitable<void> admin_accept_loop(asio::io_context& control,
                                       std::shared_ptr<tcp::acceptor> acceptor,
                                       http::Handler& handler, const proxy::RuntimeHolder& holder,
                                       http::ConnectionTracker& tracker, unsigned worker_slot) {
  while (acceptor->is_open()) {
    std::error_code ec;
    tcp::socket socket = co_await acceptor->async_accept(net::use_ec(ec));
    if (ec) {
      if (!acceptor->is_open() || ec == asio::error::operation_aborted) break;
      // Out of descriptors and the like: back off briefly instead of spinning.
      asio::steady_timer pause(control, std::chrono::milliseconds(20));
      co_await pause.async_wait(net::use_ec(ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    http::ViewerConnection viewer;
    viewer.worker_index = worker_slot;
    auto conn = std::make_shared<http::H1ServerConnection>(net::Stream(std::move(socket)), handler,
                                                           holder.load()->config().server.limits,
                                                           tracker, viewer);
    asio::co_spawn(control, http::H1ServerConnection::run(std::move(conn)), log_exception);
  }
}

// Closes idle pooled origin connections past their keep-alive, once a second.
net::awaitable<void> pool_sweeper(Worker& w) {
  asio::steady_timer timer(w.context);
  while (!w.stopping) {
    timer.expires_after(std::chrono::seconds(1));
    std::error_code ec;
    co_await timer.async_wait(net::use_ec(ec));
    w.worker_context.pool().sweep();
  }
}

// Graceful shutdown of one worker: stop accepting, close idle connections, let in-flight
// requests finish (until the drain timeout), then stop the loop.
net::awaitable<void> drain(Worker& w, config::Duration timeout) {
  w.stopping = true;
  for (tcp::acceptor& a : w.acceptors) {
    std::error_code ignored;
    a.close(ignored);
  }
  w.tracker.begin_drain();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(w.context);
  while (w.tracker.size() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    std::error_code ec;
    co_await timer.async_wait(net::use_ec(ec));
  }
  w.tracker.close_all();
  w.context.stop();
}

// The status page's sampler, once a second on the control thread (a fixed rate: the points
// are per-second deltas).
net::awaitable<void> sample_status(asio::steady_timer& timer, StatusSampler& sampler) {
  SteadyTime next = std::chrono::steady_clock::now();
  while (true) {
    next += std::chrono::seconds(1);
    timer.expires_at(next);
    std::error_code ec;
    co_await timer.async_wait(net::use_ec(ec));
    if (ec) co_return;
    sampler.sample();
  }
}

// New session ticket keys every rotation period; the previous key stays valid one period more.
net::awaitable<void> rotate_ticket_keys(asio::steady_timer& timer, TlsListeners& tls) {
  while (tls.rotation_period().count() > 0) {
    timer.expires_after(tls.rotation_period());
    std::error_code ec;
    co_await timer.async_wait(net::use_ec(ec));
    if (ec) break;
    tls.rotate_ticket_keys();
  }
}

// The admin listener for `where`.
Result<std::shared_ptr<tcp::acceptor>> open_admin(asio::io_context& control,
                                                  const config::ListenAddress& where) {
  auto acceptor =
      net::open_listener(control, net::Endpoint{where.host, where.port}, net::Sharing::kExclusive);
  if (!acceptor.ok()) {
    return make_error(ErrorKind::kInternal, Fault::kInternal, "admin: " + acceptor.error().message);
  }
  return std::make_shared<tcp::acceptor>(std::move(acceptor.value()));
}

// On stdout like the viewer listeners: tests and scripts read the bound port from it.
void announce_admin(const tcp::acceptor& acceptor) {
  fmt::print("edgefront admin listening on http://{}\n",
             net::format_endpoint(acceptor.local_endpoint()));
  std::fflush(stdout);
}

bool same_admin(const std::optional<config::ListenAddress>& a,
                const std::optional<config::ListenAddress>& b) {
  if (!a || !b) return !a && !b;
  return a->host == b->host && a->port == b->port;
}

Result<std::shared_ptr<const proxy::Runtime>> build_runtime(
    std::shared_ptr<const config::Config> config, obs::Registry& registry,
    upstream::HealthRegistry& health, const upstream::FaultTable& faults) {
  return proxy::Runtime::build(std::move(config), registry, health, &faults);
}

}  // namespace

std::string default_config_root() {
  if (const char* home = std::getenv("EDGEFRONT_HOME"); home && *home) return home;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      if (std::filesystem::is_directory(dir / "examples" / "site", ec)) return dir.string();
    }
  }
  return std::filesystem::current_path(ec).string();
}

std::shared_ptr<const config::Config> load_for_serving(const ServeOptions& options) {
  config::LoadResult loaded = options.config_path.empty()
                                  ? config::default_config(default_config_root())
                                  : config::load_config_file(options.config_path);
  report_problems(loaded);
  if (!loaded.ok()) return nullptr;
  config::Config cfg = std::move(loaded.config);
  if (options.listen_override) cfg.server.listen = {*options.listen_override};
  if (options.admin_override) cfg.server.admin = *options.admin_override;
  if (options.workers_override > 0) cfg.server.workers = options.workers_override;
  if (!options.access_log_path.empty()) {
    cfg.server.access_log.path = options.access_log_path;
    cfg.server.access_log.format = config::AccessLogSettings::Format::kCloudFront;
    cfg.server.access_log.force_all = true;
  }
  // After every source of settings: --admin must not open the admin API without a token.
  if (std::optional<std::string> exposed = config::check_admin_exposure(cfg.server)) {
    fmt::print(stderr, "{}{}\n", *exposed, options.admin_override ? " (set by --admin)" : "");
    return nullptr;
  }
  return std::make_shared<const config::Config>(std::move(cfg));
}

int serve(std::shared_ptr<const config::Config> config, const ServeOptions& options) {
  unsigned workers = config->server.workers > 0 ? static_cast<unsigned>(config->server.workers)
                                                : std::max(1u, std::thread::hardware_concurrency());
  // One counter slot per worker, plus one for the control thread and one for the access log's
  // writer.
  obs::Registry registry(workers + 2);
  upstream::HealthRegistry health;
  upstream::FaultTable faults;  // admin fault injection; survives reloads
  proxy::RuntimeHolder holder;
  auto runtime = build_runtime(config, registry, health, faults);
  if (!runtime.ok()) {
    fmt::print(stderr, "{}\n", runtime.error().message);
    return 1;
  }
  holder.publish(runtime.value());

  // Signals are caught from here on: a SIGTERM that arrives right after the "listening" line
  // must drain, not kill.
  asio::io_context control(1);
  asio::signal_set signals(control, SIGTERM, SIGINT, SIGHUP);
  asio::signal_set reopen_signal(control, SIGUSR1);

  // The cache outlives reloads: one store for the process, sized at start.
  cache::InvalidationBoard invalidations;
  cache::MemoryStore store(config->server.cache.memory_bytes, invalidations);
  proxy::CacheServices cache_services;
  cache_services.invalidations = &invalidations;
  OffsetTimeSource test_clock;
  const char* test_clock_env = std::getenv("EDGEFRONT_TEST_CLOCK");
  const bool movable_clock = test_clock_env && std::string_view(test_clock_env) == "1";
  if (movable_clock) cache_services.clock = &test_clock;
  // Declared before the workers: destroyed after them, finishing queued writes.
  std::optional<cache::DiskStore> disk;
  if (config->server.cache.memory_bytes > 0 && !config->server.cache.disk_path.empty()) {
    disk.emplace(config->server.cache.disk_path, config->server.cache.disk_bytes, invalidations);
    if (Status opened = disk->open(); !opened.ok()) {
      fmt::print(stderr, "{}\n", opened.error().message);
      return 1;
    }
    cache_services.disk = &*disk;
    invalidations.set_journal(
        [&disk](const std::vector<cache::InvalidationRule>& rules) { disk->journal(rules); });
  } else if (!config->server.cache.disk_path.empty()) {
    spdlog::warn("server.cache.disk is ignored: the cache is off (server.cache.memory: 0)");
  }
  if (config->server.cache.memory_bytes > 0) {
    cache_services.store = &store;
    // An object may take up to half a shard: larger ones stream through uncached.
    cache_services.max_object_bytes = store.max_object_bytes();
  }

  // Declared before the workers: destroyed after them, writing every line they handed over.
  std::optional<obs::AccessLog> access_log;
  if (!config->server.access_log.path.empty()) {
    const config::AccessLogSettings& settings = config->server.access_log;
    obs::AccessLogOptions log_options;
    log_options.path = settings.path;
    log_options.format = settings.format == config::AccessLogSettings::Format::kJsonLines
                             ? obs::AccessLogFormat::kJsonLines
                             : obs::AccessLogFormat::kCloudFront;
    access_log.emplace(std::move(log_options), workers, registry.access_log_lines.get({"written"}),
                       registry.access_log_lines.get({"dropped"}), workers + 1);
  }

  std::vector<std::unique_ptr<Worker>> pool;
  for (unsigned i = 0; i < workers; ++i) {
    pool.push_back(std::make_unique<Worker>(i, holder, cache_services));
    if (access_log) pool.back()->worker_context.set_access_log(&*access_log);
  }

  TlsListeners tls;
  if (Status loaded = tls.load(config->server.listen); !loaded.ok()) {
    fmt::print(stderr, "{}\n", loaded.error().message);
    return 1;
  }

  // Listeners: worker 0 binds first (resolving port 0), the others bind the same port.
  uint16_t https_port = 0;
  for (const config::ListenAddress& where : config->server.listen) {
    net::Endpoint ep{where.host, where.port};
    for (auto& w : pool) {
      auto acceptor = net::open_listener(
          w->context, ep,
          w == pool.front() ? net::Sharing::kFirstWorker : net::Sharing::kNextWorker);
      if (!acceptor.ok()) {
        fmt::print(stderr, "{}\n", acceptor.error().message);
        return 1;
      }
      ep.port = acceptor.value().local_endpoint().port();
      w->acceptors.push_back(std::move(acceptor.value()));
    }
    if (where.tls && https_port == 0) https_port = ep.port;
    fmt::print("edgefront listening on {}://{}\n", where.tls ? "https" : "http",
               net::format_endpoint(pool.front()->acceptors.back().local_endpoint()));
  }

  for (auto& w : pool) w->worker_context.set_https_port(https_port);

  http::ConnectionTracker admin_tracker;
  AdminHandler admin_handler(holder, registry, invalidations, cache_services.store,
                             movable_clock ? &test_clock : nullptr, &faults, cache_services.disk);
  StatusSampler status_sampler(holder, invalidations, &faults);
  admin_handler.set_status(&status_sampler);
  std::shared_ptr<tcp::acceptor> admin_acceptor;  // null: admin off
  std::optional<config::ListenAddress> admin_address = config->server.admin;
  if (admin_address) {
    auto acceptor = open_admin(control, *admin_address);
    if (!acceptor.ok()) {
      fmt::print(stderr, "{}\n", acceptor.error().message);
      return 1;
    }
    admin_acceptor = std::move(acceptor.value());
    announce_admin(*admin_acceptor);
  }
  std::fflush(stdout);

  // Active health checks run on the control thread, off the workers.
  upstream::HealthChecker checker(control);
  checker.start(runtime.value()->probe_targets(), runtime.value());

  obs::Counter* accepted = registry.connections.get({});
  for (auto& w : pool) {
    for (size_t i = 0; i < w->acceptors.size(); ++i) {
      asio::co_spawn(w->context, accept_loop(*w, w->acceptors[i], holder, accepted, tls, i),
                     log_exception);
    }
    asio::co_spawn(w->context, pool_sweeper(*w), log_exception);
    w->thread = std::thread([&ctx = w->context] { ctx.run(); });
  }

  Worker admin_worker(workers, holder,
                      cache_services);  // the control thread's slot for admin connections
  auto start_admin = [&] {
    if (!admin_acceptor) return;
    asio::co_spawn(
        control,
        admin_accept_loop(control, admin_acceptor, admin_handler, holder, admin_tracker, workers),
        log_exception);
  };
  start_admin();
  // A reload that moves the admin listener: the new socket is bound before anything is
  // published (a failed bind refuses the whole reload), then replaces the old one, whose
  // connections close: they were accepted under the old address and token.
  auto swap_admin = [&](std::optional<std::shared_ptr<tcp::acceptor>> moved,
                        const std::optional<config::ListenAddress>& where) {
    if (!moved) return;
    if (admin_acceptor) {
      std::error_code ignored;
      admin_acceptor->close(ignored);
    }
    admin_tracker.close_all();
    admin_acceptor = std::move(*moved);
    admin_address = where;
    if (admin_acceptor) {
      announce_admin(*admin_acceptor);
    } else {
      spdlog::info("reload: admin API off");
    }
    start_admin();
  };

  asio::steady_timer ticket_rotation(control);
  asio::steady_timer status_sampling(control);
  std::function<void(const std::error_code&, int)> on_signal = [&](const std::error_code& ec,
                                                                   int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      if (options.config_path.empty()) {
        spdlog::info("reload: built-in config, nothing to reload");
      } else {
        auto next = load_for_serving(options);
        // Set when the admin address changes: the new acceptor, or null for "off".
        std::optional<std::shared_ptr<tcp::acceptor>> moved_admin;
        Status admin_bound = ok_status();
        if (next && !same_admin(next->server.admin, admin_address)) {
          moved_admin.emplace();
          if (next->server.admin) {
            auto acceptor = open_admin(control, *next->server.admin);
            if (acceptor.ok()) {
              *moved_admin = std::move(acceptor.value());
            } else {
              admin_bound = acceptor.error();
            }
          }
        }
        if (!next) {
          spdlog::error("reload: config refused; still serving the previous one");
        } else if (!admin_bound.ok()) {
          spdlog::error("reload: {}; still serving the previous config and admin address",
                        admin_bound.error().message);
        } else if (auto rt = build_runtime(next, registry, health, faults); !rt.ok()) {
          spdlog::error("reload: {}; still serving the previous config", rt.error().message);
        } else if (Status certs = tls.load(next->server.listen); !certs.ok()) {
          spdlog::error("reload: {}; still serving the previous config and certificates",
                        certs.error().message);
        } else {
          if (next->server.access_log.path != config->server.access_log.path) {
            spdlog::warn(
                "reload: server.access_log.path changes only at restart; still writing to {}",
                config->server.access_log.path.empty() ? "(none)" : config->server.access_log.path);
          }
          holder.publish(rt.value());
          swap_admin(std::move(moved_admin), next->server.admin);
          checker.start(rt.value()->probe_targets(), rt.value());
          spdlog::info("reload: new config in service");
        }
      }
      signals.async_wait(on_signal);
      return;
    }
    spdlog::info("shutting down: finishing in-flight requests");
    config::Duration drain_timeout = holder.load()->config().server.limits.drain_timeout;
    for (auto& w : pool) {
      asio::co_spawn(w->context, drain(*w, drain_timeout), log_exception);
    }
    if (admin_acceptor) {
      std::error_code ignored;
      admin_acceptor->close(ignored);
    }
    admin_tracker.close_all();
    checker.stop();
    ticket_rotation.cancel();
    status_sampling.cancel();
    signals.cancel();
    reopen_signal.cancel();
  };
  signals.async_wait(on_signal);
  // SIGUSR1: logrotate moved the access log away; open the path afresh.
  std::function<void(const std::error_code&, int)> on_reopen = [&](const std::error_code& ec, int) {
    if (ec) return;
    if (access_log) {
      access_log->reopen();
      spdlog::info("access log: reopening {}", access_log->path());
    }
    reopen_signal.async_wait(on_reopen);
  };
  reopen_signal.async_wait(on_reopen);
  asio::co_spawn(control, rotate_ticket_keys(ticket_rotation, tls), log_exception);
  asio::co_spawn(control, sample_status(status_sampling, status_sampler), log_exception);
  control.run();

  for (auto& w : pool) w->thread.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace edgefront::server
