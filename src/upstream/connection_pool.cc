#include "upstream/connection_pool.h"

namespace edgefront::upstream {

std::unique_ptr<OriginConnection> ConnectionPool::take(const std::string& key) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& bucket = it->second;
  SteadyTime now = time_.steady_now();
  // Most recently used first: it is the least likely to have been closed by the origin.
  while (!bucket.empty()) {
    std::unique_ptr<OriginConnection> conn = std::move(bucket.back());
    bucket.pop_back();
    if (now < conn->idle_until() && !conn->stream().idle_peer_closed()) return conn;
    conn->stream().close();
  }
  return nullptr;
}

void ConnectionPool::put(std::unique_ptr<OriginConnection> conn,
                         std::chrono::milliseconds keepalive) {
  auto& bucket = idle_[conn->pool_key()];
  if (bucket.size() >= kMaxIdlePerKey || keepalive <= std::chrono::milliseconds::zero()) {
    conn->stream().close();
    return;
  }
  conn->parser().next_message();
  conn->mark_idle(time_.steady_now() + keepalive);
  bucket.push_back(std::move(conn));
}

void ConnectionPool::sweep() {
  SteadyTime now = time_.steady_now();
  for (auto& [key, bucket] : idle_) {
    std::erase_if(bucket, [&](std::unique_ptr<OriginConnection>& c) {
      if (now < c->idle_until() && c->stream().is_open()) return false;
      c->stream().close();
      return true;
    });
  }
}

void ConnectionPool::close_all() {
  for (auto& [key, bucket] : idle_) {
    for (auto& c : bucket) c->stream().close();
  }
  idle_.clear();
}

size_t ConnectionPool::idle_count() const {
  size_t n = 0;
  for (const auto& [key, bucket] : idle_) n += bucket.size();
  return n;
}

}  // namespace edgefront::upstream
