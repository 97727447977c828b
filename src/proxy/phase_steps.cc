#include "proxy/phase_steps.h"

namespace edgefront::proxy {

http::ResponseHead answer_head(const GeneratedAnswer& answer) {
  http::ResponseHead head;
  head.status = answer.status;
  head.headers = answer.headers;
  if (!head.headers.contains("Server")) head.headers.add("Server", "edgefront");
  if (!answer.body.empty() && !head.headers.contains("Content-Type")) {
    head.headers.add("Content-Type", "text/html; charset=utf-8");
  }
  return head;
}

std::optional<GeneratedAnswer> run_request_steps(
    const std::vector<std::shared_ptr<const RequestStep>>& steps, http::RequestHead& request,
    const StepContext& context) {
  for (const auto& step : steps) {
    if (std::optional<GeneratedAnswer> answer = step->on_request(request, context)) return answer;
  }
  return std::nullopt;
}

std::optional<GeneratedAnswer> run_response_steps(
    const std::vector<std::shared_ptr<const ResponseStep>>& steps, const http::RequestHead& request,
    http::ResponseHead& head, const StepContext& context) {
  for (const auto& step : steps) {
    if (std::optional<GeneratedAnswer> answer = step->on_response(request, head, context)) {
      return answer;
    }
  }
  return std::nullopt;
}

}  // namespace edgefront::proxy
