#include "server/preflight.h"

#include <memory>

#include "cache/disk_path.h"
#include "proxy/runtime.h"
#include "server/tls_listeners.h"
#include "upstream/health_registry.h"

namespace edgefront::server {

std::vector<std::string> preflight(const config::Config& config) {
  std::vector<std::string> problems;
  const config::CacheStorage& cache = config.server.cache;
  // serve opens the disk tier only with a memory tier (see serve()).
  if (cache.memory_bytes > 0 && !cache.disk_path.empty()) {
    if (auto refused = cache::check_disk_dir(cache.disk_path)) problems.push_back(*refused);
  }
  TlsListeners tls;
  if (Status loaded = tls.load(config.server.listen); !loaded.ok()) {
    problems.push_back(loaded.error().message);
  }
  obs::Registry registry(1);
  upstream::HealthRegistry health;
  auto runtime =
      proxy::Runtime::build(std::make_shared<const config::Config>(config), registry, health);
  if (!runtime.ok()) problems.push_back(runtime.error().message);
  return problems;
}

}  // namespace edgefront::server
