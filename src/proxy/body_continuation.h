// The proxy's side of a ResumingBody (upstream/resuming_body.h): which members may continue
// a body their peer broke off (the ones after it in this request's order; the same origin
// again, within ConnectionAttempts, when the target is a single origin), the continuation
// attempts themselves, and what a broken body costs the member that broke it (the `body`
// error counter, passive health). It outlives the viewer's request (a cache fill keeps
// reading), so it holds the runtime and copies what it needs.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proxy/runtime.h"
#include "proxy/worker_context.h"
#include "upstream/origin_request.h"
#include "upstream/resuming_body.h"

namespace edgefront::proxy {

struct BodyContinuationSpec {
  std::shared_ptr<const Runtime> rt;  // keeps the target, distribution and behavior alive
  const RuntimeDistribution* dist = nullptr;
  const config::CacheBehavior* behavior = nullptr;
  const RuntimeTarget* target = nullptr;
  upstream::ViewerInfo viewer;
  size_t answering = 0;              // the member whose body is read
  std::vector<size_t> next_members;  // who may continue it, in order
  bool health_aware = false;
  // The answer's success counts for passive health once its body did not break (a body
  // broken off is a failure, so the head alone must not reset the count).
  bool deferred_success = false;
  std::optional<upstream::ResumePlan> plan;
  http::RequestHead request;  // the viewer's request as fetched (only kept with a plan)
  std::string origin_path;
};

class BodyContinuation final : public upstream::ContinuationSource {
 public:
  BodyContinuation(WorkerContext& worker, BodyContinuationSpec spec)
      : worker_(worker), spec_(std::move(spec)), current_(spec_.answering) {}
  ~BodyContinuation() override;

  const std::optional<upstream::ResumePlan>& plan() const override { return spec_.plan; }
  void body_failed(const Error& error) override;
  net::awaitable<std::unique_ptr<upstream::OriginFetch>> continue_from(uint64_t offset) override;
  void spliced() override;

 private:
  WorkerContext& worker_;
  BodyContinuationSpec spec_;
  size_t current_;  // the member whose body is being read
  bool current_failed_ = false;
  size_t next_ = 0;  // index into spec_.next_members
};

// The source for the response `fetch` of member order[k], got on its `attempt`-th try:
// continued by the members after it in a group, by the same origin while ConnectionAttempts
// allow otherwise.
struct AnsweredBy {
  const RuntimeTarget& target;
  std::span<const size_t> order;
  size_t k;
  int attempt;
  bool health_aware;
  bool deferred_success;
};
std::unique_ptr<BodyContinuation> make_body_continuation(
    WorkerContext& worker, std::shared_ptr<const Runtime> rt, const RuntimeDistribution& dist,
    const config::CacheBehavior& behavior, const upstream::ViewerInfo& viewer,
    const AnsweredBy& answered, const http::RequestHead& request, std::string_view origin_path,
    upstream::OriginFetch& fetch);

}  // namespace edgefront::proxy
