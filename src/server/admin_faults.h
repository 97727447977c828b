// The fault-injection endpoints of the admin API: POST /faults, GET /faults,
// DELETE /faults/{id}, DELETE /faults. Every injection and removal is logged and counted.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"
#include "obs/metric_table.h"
#include "proxy/runtime.h"
#include "upstream/fault_table.h"

namespace edgefront::server {

struct AdminReply {
  int status = 200;
  std::string body;  // JSON
};

bool is_faults_path(std::string_view path);

// `body` is the request body (POST only). `slot` is the control thread's counter slot.
AdminReply handle_faults(http::Method method, std::string_view path, std::string_view body,
                         const proxy::Runtime& runtime, upstream::FaultTable& faults,
                         obs::Registry& registry, unsigned slot);

}  // namespace edgefront::server
