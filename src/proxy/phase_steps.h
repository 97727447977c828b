// The seams of the request path, one per CloudFront event: code added later (edge functions,
// signed URLs, WAF, geo restriction) plugs in here as steps of a cache behavior, without
// touching the pipeline. A request step may rewrite the request in place or end it with an
// answer (a refusal is an answer with a 4xx); a response step may rewrite the head in place or
// replace the whole response with an answer. Steps are synchronous: a step that must wait
// (a function in another process) is a later extension.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "http/message.h"
#include "obs/request_record.h"

namespace edgefront::proxy {

// A response the edge makes itself, in place of the origin's or the cache's.
struct GeneratedAnswer {
  int status = 200;
  http::HeaderList headers;  // Content-Type defaults to text/html for a body without one
  std::string body;
  obs::EdgeResult result = obs::EdgeResult::kMiss;  // what the record and X-Cache say
};

// What a step may read besides the message it works on.
struct StepContext {
  const config::Distribution& distribution;
  const config::CacheBehavior& behavior;
  const obs::RequestRecord& record;
};

class RequestStep {
 public:
  virtual ~RequestStep() = default;
  virtual std::string_view name() const = 0;
  // Rewrites `request` in place, or returns the answer that ends the request here.
  virtual std::optional<GeneratedAnswer> on_request(http::RequestHead& request,
                                                    const StepContext& context) const = 0;
};

class ResponseStep {
 public:
  virtual ~ResponseStep() = default;
  virtual std::string_view name() const = 0;
  // Rewrites `head` in place (status, fields), or returns the answer that replaces the whole
  // response (its body is then dropped unread).
  virtual std::optional<GeneratedAnswer> on_response(const http::RequestHead& request,
                                                     http::ResponseHead& head,
                                                     const StepContext& context) const = 0;
};

// A cache behavior's steps at the four events, in the order they run.
struct PhaseSteps {
  std::vector<std::shared_ptr<const RequestStep>> viewer_request;
  std::vector<std::shared_ptr<const RequestStep>> origin_request;
  std::vector<std::shared_ptr<const ResponseStep>> origin_response;
  std::vector<std::shared_ptr<const ResponseStep>> viewer_response;
  bool empty() const {
    return viewer_request.empty() && origin_request.empty() && origin_response.empty() &&
           viewer_response.empty();
  }
};

// Makes each behavior's steps when a Runtime is built (from the config: functions, signed URL
// checks, ...). Tests give their own.
class StepProvider {
 public:
  virtual ~StepProvider() = default;
  virtual PhaseSteps steps_for(const config::Distribution& distribution,
                               const config::CacheBehavior& behavior) const = 0;
};

// The head of a generated answer: its fields, plus Server and (for a body) Content-Type when
// the step gave none.
http::ResponseHead answer_head(const GeneratedAnswer& answer);

// Runs request steps in order until one answers.
std::optional<GeneratedAnswer> run_request_steps(
    const std::vector<std::shared_ptr<const RequestStep>>& steps, http::RequestHead& request,
    const StepContext& context);
// Runs response steps in order until one answers.
std::optional<GeneratedAnswer> run_response_steps(
    const std::vector<std::shared_ptr<const ResponseStep>>& steps, const http::RequestHead& request,
    http::ResponseHead& head, const StepContext& context);

}  // namespace edgefront::proxy
