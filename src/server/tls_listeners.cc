#include "server/tls_listeners.h"

#include <fmt/format.h>

#include "config/rules.h"

namespace edgefront::server {

namespace {

tls::ServerSettings settings_of(const config::ListenTls& t) {
  tls::ServerSettings s;
  for (const config::ListenTls::Certificate& c : t.certificates) {
    s.certificates.push_back({c.cert, c.key, c.ocsp});
  }
  s.security_policy = t.minimum_protocol;
  s.offer_h2 = t.http2;
  // A ticket stays usable for two rotation periods (current key, then previous key).
  s.session_lifetime = std::chrono::duration_cast<std::chrono::seconds>(2 * t.ticket_key_rotation);
  return s;
}

bool same_address(const config::ListenAddress& a, const config::ListenAddress& b) {
  return a.host == b.host && a.port == b.port;
}

}  // namespace

TlsListeners::TlsListeners() : keys_(std::make_shared<tls::TicketKeys>()) {}

Status TlsListeners::load(const std::vector<config::ListenAddress>& listen) {
  bool first = slots_.empty();
  std::vector<std::shared_ptr<const tls::ServerContext>> built(first ? listen.size()
                                                                     : slots_.size());
  config::Duration rotation{0};
  for (size_t i = 0; i < built.size(); ++i) {
    const config::ListenAddress* where = nullptr;
    if (first) {
      where = &listen[i];
    } else {
      // Listeners are not re-bound on reload: find the one still at this address.
      for (const config::ListenAddress& l : listen) {
        if (same_address(l, slots_[i]->address)) where = &l;
      }
      if (where == nullptr) {  // gone from the new config: keeps serving as it was
        built[i] = slots_[i]->current.load();
        continue;
      }
      if (where->tls.has_value() != slots_[i]->address.tls.has_value()) {
        return make_error(ErrorKind::kInternal, Fault::kInternal,
                          fmt::format("listener {} cannot switch between http and https "
                                      "without a restart",
                                      config::detail::format_listen_address(*where)));
      }
    }
    if (!where->tls) continue;
    auto context = tls::ServerContext::load(settings_of(*where->tls), keys_);
    if (!context.ok()) {
      return make_error(
          ErrorKind::kInternal, Fault::kInternal,
          fmt::format("listener {}: {}", config::detail::format_listen_address(*where),
                      context.error().message));
    }
    built[i] = std::move(context.value());
    if (rotation.count() == 0 || where->tls->ticket_key_rotation < rotation) {
      rotation = where->tls->ticket_key_rotation;
    }
  }
  if (first) {
    for (const config::ListenAddress& l : listen) {
      slots_.push_back(std::make_unique<Slot>());
      slots_.back()->address = l;
    }
  }
  for (size_t i = 0; i < built.size(); ++i) {
    slots_[i]->current.store(std::move(built[i]), std::memory_order_release);
  }
  rotation_ = rotation;
  return ok_status();
}

std::shared_ptr<const tls::ServerContext> TlsListeners::context(size_t index) const {
  if (index >= slots_.size()) return nullptr;
  return slots_[index]->current.load(std::memory_order_acquire);
}

}  // namespace edgefront::server
