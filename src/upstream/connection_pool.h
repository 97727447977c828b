// Per-worker keep-alive pool of origin connections (never shared between threads).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "upstream/origin_connection.h"

namespace edgefront::upstream {

class ConnectionPool {
 public:
  explicit ConnectionPool(const TimeSource& time = RealTimeSource::instance()) : time_(time) {}

  // An idle connection for `key` that has not expired and is still open, if any.
  std::unique_ptr<OriginConnection> take(const std::string& key);
  // Returns a connection after a complete exchange; it stays usable for `keepalive`.
  void put(std::unique_ptr<OriginConnection> conn, std::chrono::milliseconds keepalive);
  // Closes expired connections.
  void sweep();
  // Closes every idle connection (shutdown).
  void close_all();
  size_t idle_count() const;

 private:
  static constexpr size_t kMaxIdlePerKey = 256;
  const TimeSource& time_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<OriginConnection>>> idle_;
};

}  // namespace edgefront::upstream
