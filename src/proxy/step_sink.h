// The viewer-response seam: a sink that runs a behavior's viewer-response steps on the head
// of every answer on its way out (the origin's, the cache's or the edge's own). A step that
// answers replaces the response: its head and body go out and the original body is dropped.
#pragma once

#include <vector>

#include "http/exchange.h"
#include "proxy/phase_steps.h"

namespace edgefront::proxy {

class StepSink final : public http::ResponseSink {
 public:
  StepSink(http::ResponseSink& inner, const std::vector<std::shared_ptr<const ResponseStep>>& steps,
           const http::RequestHead& request, StepContext context, obs::RequestRecord& record)
      : inner_(inner), steps_(steps), request_(request), context_(context), record_(record) {}

  net::awaitable<Status> send_head(http::ResponseHead head, http::BodyLength length) override {
    std::optional<GeneratedAnswer> answer = run_response_steps(steps_, request_, head, context_);
    if (!answer) co_return co_await inner_.send_head(std::move(head), length);
    replaced_ = true;
    record_.result = record_.response_result = answer->result;
    Status sent = co_await inner_.send_head(answer_head(*answer),
                                            http::BodyLength::known(answer->body.size()));
    if (sent.ok() && !answer->body.empty()) sent = co_await inner_.send_body(answer->body);
    if (sent.ok()) sent = co_await inner_.finish();
    co_return sent;
  }
  net::awaitable<Status> send_body(std::span<const char> data) override {
    if (replaced_) co_return ok_status();
    co_return co_await inner_.send_body(data);
  }
  net::awaitable<Status> finish() override {
    if (replaced_) co_return ok_status();
    co_return co_await inner_.finish();
  }
  void abort() override {
    if (!replaced_) inner_.abort();
  }
  bool committed() const override { return inner_.committed(); }

 private:
  http::ResponseSink& inner_;
  const std::vector<std::shared_ptr<const ResponseStep>>& steps_;
  const http::RequestHead& request_;
  StepContext context_;
  obs::RequestRecord& record_;
  bool replaced_ = false;
};

}  // namespace edgefront::proxy
