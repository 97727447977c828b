// CloudFront's retry / origin-failover decision for one origin attempt (spec §1.3, §2.2):
// pure, stateless, decided per attempt from what happened and where we are in the sequence.
#pragma once

#include <vector>

#include "http/message.h"

namespace edgefront::upstream {

enum class AttemptOutcome {
  kResponse,        // a response head arrived (status in AttemptResult::status)
  kConnectFailed,   // refused / unreachable / DNS / TLS failure; nothing was sent
  kConnectTimeout,  // connect did not complete within ConnectionTimeout; nothing was sent
  kReadTimeout,     // no response (or a stall) within OriginReadTimeout
  kOriginClosed,    // origin closed or reset before a complete response head
  kBadResponse,     // unparseable response
  // The member was judged unavailable (ejected, failed its active check) while this attempt
  // still waited for its connect or response head: given up at once, never retried there.
  kMemberUnavailable,
};

struct AttemptResult {
  AttemptOutcome outcome = AttemptOutcome::kResponse;
  int status = 0;
};

struct FailoverContext {
  const std::vector<int>* failover_status_codes = nullptr;  // null: not an origin group
  bool has_next_member = false;
  int attempt_on_this_origin = 1;  // 1-based
  int connection_attempts = 3;     // Origin::connection_attempts
};

enum class Decision { kDeliver, kRetrySameOrigin, kNextOrigin };

// Methods CloudFront fails over: GET, HEAD, OPTIONS.
bool is_failover_method(http::Method m);

Decision decide_failover(http::Method method, const AttemptResult& result,
                         const FailoverContext& ctx);

// Status for the viewer when the last attempt failed without a response: 502 for connect
// failures, closed connections and bad responses, 504 for timeouts (502 for kResponse, which
// is not a failure).
int status_for_failure(AttemptOutcome outcome);

}  // namespace edgefront::upstream
