#include "http/exchange.h"

namespace edgefront::http {

namespace {

Status not_at_once() {
  return make_error(ErrorKind::kInternal, Fault::kInternal,
                    "this response sink does not answer at once");
}

}  // namespace

Status ResponseSink::queue_wire_head(const WireHead&, std::string_view, BodyLength) {
  return not_at_once();
}

Status ResponseSink::send_body_at_once(std::span<const char>) { return not_at_once(); }

Status ResponseSink::finish_at_once() { return not_at_once(); }

awaitable<Status> ResponseSink::flush() { co_return ok_status(); }

}  // namespace edgefront::http
