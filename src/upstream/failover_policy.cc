#include "upstream/failover_policy.h"

#include <algorithm>

namespace edgefront::upstream {

bool is_failover_method(http::Method m) {
  return m == http::Method::kGet || m == http::Method::kHead || m == http::Method::kOptions;
}

namespace {

bool can_fail_over(http::Method method, const FailoverContext& ctx) {
  return is_failover_method(method) && ctx.failover_status_codes != nullptr && ctx.has_next_member;
}

bool attempts_left(const FailoverContext& ctx) {
  return ctx.attempt_on_this_origin < ctx.connection_attempts;
}

}  // namespace

Decision decide_failover(http::Method method, const AttemptResult& result,
                         const FailoverContext& ctx) {
  switch (result.outcome) {
    case AttemptOutcome::kResponse: {
      if (!can_fail_over(method, ctx)) return Decision::kDeliver;
      const std::vector<int>& codes = *ctx.failover_status_codes;
      bool listed = std::find(codes.begin(), codes.end(), result.status) != codes.end();
      return listed ? Decision::kNextOrigin : Decision::kDeliver;
    }
    case AttemptOutcome::kConnectFailed:
    case AttemptOutcome::kConnectTimeout:
      // Nothing reached the origin, so any method may be retried.
      if (attempts_left(ctx)) return Decision::kRetrySameOrigin;
      return can_fail_over(method, ctx) ? Decision::kNextOrigin : Decision::kDeliver;
    case AttemptOutcome::kReadTimeout:
      // Only GET/HEAD read timeouts are retried on the same origin (spec §1.3).
      if ((method == http::Method::kGet || method == http::Method::kHead) && attempts_left(ctx)) {
        return Decision::kRetrySameOrigin;
      }
      return can_fail_over(method, ctx) ? Decision::kNextOrigin : Decision::kDeliver;
    case AttemptOutcome::kOriginClosed:
    case AttemptOutcome::kBadResponse:
    case AttemptOutcome::kMemberUnavailable:
      return can_fail_over(method, ctx) ? Decision::kNextOrigin : Decision::kDeliver;
  }
  return Decision::kDeliver;
}

int status_for_failure(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kConnectTimeout:
    case AttemptOutcome::kReadTimeout:
      return 504;
    case AttemptOutcome::kResponse:
    case AttemptOutcome::kConnectFailed:
    case AttemptOutcome::kOriginClosed:
    case AttemptOutcome::kBadResponse:
    case AttemptOutcome::kMemberUnavailable:
      return 502;
  }
  return 502;
}

}  // namespace edgefront::upstream
