// What the pipeline knows about one viewer request while it is being served.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "obs/request_record.h"
#include "proxy/pipeline.h"

namespace edgefront::proxy {

struct ProxyHandler::Request {
  Request(http::Exchange& e, std::shared_ptr<const Runtime> runtime)
      : Request(e, std::move(runtime), own_record) {}
  // A request serving another's exchange through a wrapping sink shares its record.
  Request(http::Exchange& e, std::shared_ptr<const Runtime> runtime, obs::RequestRecord& rec)
      : ex(e),
        rt(std::move(runtime)),
        viewer{e.viewer.peer_ip, e.viewer.peer_port, e.viewer.tls},
        record(rec) {}
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  http::Exchange& ex;
  std::shared_ptr<const Runtime> rt;
  const RuntimeDistribution* dist = nullptr;
  const config::CacheBehavior* behavior = nullptr;
  upstream::ViewerInfo viewer;
  upstream::OutgoingBody body;
  std::string buffered_body;
  // Starts the fill of a body nobody else shares (a large disk hit), once this viewer reads
  // it: a fill that runs ahead of its only reader would drop the bytes it has not read.
  std::function<void()> start_fill_when_reading;
  // The Host named no distribution: answered, but logged by none.
  bool unrouted = false;
  obs::RequestRecord own_record;
  // What the request did, for the log step (see log_request).
  obs::RequestRecord& record;
};

}  // namespace edgefront::proxy
