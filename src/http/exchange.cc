#include "http/exchange.h"

namespace edgefront::http {

awaitable<Status> ResponseSink::send_wire_head(const WireHead&, std::string_view, BodyLength) {
  co_return make_error(ErrorKind::kInternal, Fault::kInternal,
                       "this response sink does not take a serialized head");
}

}  // namespace edgefront::http
