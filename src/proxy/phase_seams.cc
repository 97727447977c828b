// What the phase seams share: the context a step reads, and answers steps generate, sent to
// the viewer or handed on as if an origin had given them.
#include "proxy/pipeline.h"
#include "proxy/request.h"

namespace edgefront::proxy {

StepContext ProxyHandler::step_context(const Request& r) const {
  return StepContext{*r.dist->config, *r.behavior, r.record};
}

Upstreamed ProxyHandler::generated_upstream(GeneratedAnswer answer, http::Method method) {
  Upstreamed up;
  up.kind = Upstreamed::Kind::kFile;  // a head and a body in memory, as a directory's error page
  up.status = answer.status;
  up.file.head = answer_head(answer);
  // A HEAD is answered with the GET's length and no body.
  up.file.head.headers.set("Content-Length", std::to_string(answer.body.size()));
  if (method != http::Method::kHead) up.file.body = std::move(answer.body);
  return up;
}

net::awaitable<int> ProxyHandler::respond_answer(Request& r, GeneratedAnswer answer) {
  r.record.result = r.record.response_result = answer.result;
  http::ResponseSink& sink = r.ex.response;
  const int status = answer.status;
  const bool bodiless = r.ex.request.method == http::Method::kHead;
  if (!(co_await sink.send_head(answer_head(answer), http::BodyLength::known(answer.body.size())))
           .ok()) {
    co_return status;
  }
  if (!bodiless && !answer.body.empty() && !(co_await sink.send_body(answer.body)).ok()) {
    co_return status;
  }
  (void)co_await sink.finish();
  co_return status;
}

}  // namespace edgefront::proxy
