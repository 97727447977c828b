// The live viewer connections of one worker (HTTP/1.1 and HTTP/2), so a graceful shutdown can
// close idle ones at once and let busy ones finish. Single-threaded (one per worker).
#pragma once

#include <list>
#include <vector>

namespace edgefront::http {

class TrackedConnection {
 public:
  virtual ~TrackedConnection() = default;
  // Drain: close now if nothing is in progress, else finish what is and close.
  virtual void close_if_idle() = 0;
  // Drain deadline passed: close at once.
  virtual void close_now() = 0;
};

class ConnectionTracker {
 public:
  void add(TrackedConnection* c) { live_.push_back(c); }
  void remove(TrackedConnection* c) { live_.remove(c); }
  size_t size() const { return live_.size(); }
  bool draining() const { return draining_; }
  // Stops keep-alive everywhere and closes connections that are between requests.
  void begin_drain() {
    draining_ = true;
    // close_if_idle may remove entries; iterate over a copy.
    std::vector<TrackedConnection*> snapshot(live_.begin(), live_.end());
    for (TrackedConnection* c : snapshot) c->close_if_idle();
  }
  void close_all() {
    std::vector<TrackedConnection*> snapshot(live_.begin(), live_.end());
    for (TrackedConnection* c : snapshot) c->close_now();
  }

 private:
  std::list<TrackedConnection*> live_;
  bool draining_ = false;
};

}  // namespace edgefront::http
