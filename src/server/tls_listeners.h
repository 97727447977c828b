// The live TLS state of the viewer listeners: one published ServerContext per TLS listen
// address, swapped atomically on reload (all or nothing), and the process's ticket keys with
// their rotation. Workers read a listener's context once per accepted connection.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "tls/server_context.h"

namespace edgefront::server {

class TlsListeners {
 public:
  TlsListeners();

  // Builds the contexts of `listen` (by position: the addresses bound at start). At start
  // (nothing published yet) any list is accepted; on reload, an address must keep its
  // http/https nature. Nothing is published unless every context loads.
  Status load(const std::vector<config::ListenAddress>& listen);

  // The context of listener `index`; null for a plain HTTP listener.
  std::shared_ptr<const tls::ServerContext> context(size_t index) const;

  // The shortest ticket key rotation period of the TLS listeners (0 if there are none).
  config::Duration rotation_period() const { return rotation_; }
  void rotate_ticket_keys() { keys_->rotate(); }

 private:
  struct Slot {
    config::ListenAddress address;
    std::atomic<std::shared_ptr<const tls::ServerContext>> current;
  };
  std::vector<std::unique_ptr<Slot>> slots_;
  std::shared_ptr<tls::TicketKeys> keys_;
  config::Duration rotation_{0};
};

}  // namespace edgefront::server
