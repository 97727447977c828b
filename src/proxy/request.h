// What the pipeline knows about one viewer request while it is being served.
#pragma once

#include <memory>
#include <string>

#include "proxy/pipeline.h"

namespace edgefront::proxy {

struct ProxyHandler::Request {
  explicit Request(http::Exchange& e) : ex(e) {}
  http::Exchange& ex;
  std::shared_ptr<const Runtime> rt;
  const RuntimeDistribution* dist = nullptr;
  const config::CacheBehavior* behavior = nullptr;
  upstream::ViewerInfo viewer;
  upstream::OutgoingBody body;
  std::string buffered_body;
};

}  // namespace edgefront::proxy
