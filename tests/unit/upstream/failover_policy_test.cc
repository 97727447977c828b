#include "upstream/failover_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgefront::upstream {
namespace {

using http::Method;
using O = AttemptOutcome;
using D = Decision;

const std::vector<int> kCodes = {500, 502, 503, 504, 404};

struct Case {
  Method method;
  O outcome;
  int status;
  bool group;
  bool has_next;
  int attempt;
  int attempts;
  D expected;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
  return os << http::method_name(c.method) << " outcome=" << static_cast<int>(c.outcome)
            << " status=" << c.status << " group=" << c.group << " next=" << c.has_next
            << " attempt=" << c.attempt << "/" << c.attempts;
}

class Failover : public ::testing::TestWithParam<Case> {};

TEST_P(Failover, Decides) {
  const Case& c = GetParam();
  FailoverContext ctx;
  ctx.failover_status_codes = c.group ? &kCodes : nullptr;
  ctx.has_next_member = c.has_next;
  ctx.attempt_on_this_origin = c.attempt;
  ctx.connection_attempts = c.attempts;
  EXPECT_EQ(decide_failover(c.method, AttemptResult{c.outcome, c.status}, ctx), c.expected) << c;
}

constexpr Method G = Method::kGet, H = Method::kHead, OPT = Method::kOptions, P = Method::kPost,
                 PUT = Method::kPut, DEL = Method::kDelete, PATCH = Method::kPatch,
                 OTHER = Method::kOther;

INSTANTIATE_TEST_SUITE_P(Response, Failover,
                         ::testing::Values(
                             // Listed code, failover method, next member -> next origin.
                             Case{G, O::kResponse, 503, true, true, 1, 3, D::kNextOrigin},
                             Case{H, O::kResponse, 500, true, true, 1, 3, D::kNextOrigin},
                             Case{OPT, O::kResponse, 404, true, true, 1, 3, D::kNextOrigin},
                             Case{G, O::kResponse, 504, true, true, 3, 3, D::kNextOrigin},
                             // Codes not listed are delivered.
                             Case{G, O::kResponse, 200, true, true, 1, 3, D::kDeliver},
                             Case{G, O::kResponse, 403, true, true, 1, 3, D::kDeliver},
                             Case{G, O::kResponse, 501, true, true, 1, 3, D::kDeliver},
                             Case{G, O::kResponse, 302, true, true, 1, 3, D::kDeliver},
                             // Other methods never fail over.
                             Case{P, O::kResponse, 503, true, true, 1, 3, D::kDeliver},
                             Case{PUT, O::kResponse, 503, true, true, 1, 3, D::kDeliver},
                             Case{DEL, O::kResponse, 503, true, true, 1, 3, D::kDeliver},
                             Case{PATCH, O::kResponse, 503, true, true, 1, 3, D::kDeliver},
                             Case{OTHER, O::kResponse, 503, true, true, 1, 3, D::kDeliver},
                             // Last member, or not a group.
                             Case{G, O::kResponse, 503, true, false, 1, 3, D::kDeliver},
                             Case{G, O::kResponse, 503, false, false, 1, 3, D::kDeliver},
                             Case{G, O::kResponse, 503, false, true, 1, 3, D::kDeliver}));

INSTANTIATE_TEST_SUITE_P(
    Connect, Failover,
    ::testing::Values(
        // Attempts left: retry the same origin for any method (nothing was sent).
        Case{G, O::kConnectFailed, 0, false, false, 1, 3, D::kRetrySameOrigin},
        Case{G, O::kConnectFailed, 0, false, false, 2, 3, D::kRetrySameOrigin},
        Case{P, O::kConnectFailed, 0, false, false, 1, 3, D::kRetrySameOrigin},
        Case{P, O::kConnectTimeout, 0, true, true, 2, 3, D::kRetrySameOrigin},
        Case{OTHER, O::kConnectTimeout, 0, false, false, 1, 2, D::kRetrySameOrigin},
        Case{G, O::kConnectTimeout, 0, true, true, 1, 3, D::kRetrySameOrigin},
        // Exhausted.
        Case{G, O::kConnectFailed, 0, true, true, 3, 3, D::kNextOrigin},
        Case{H, O::kConnectTimeout, 0, true, true, 3, 3, D::kNextOrigin},
        Case{OPT, O::kConnectTimeout, 0, true, true, 1, 1, D::kNextOrigin},
        Case{G, O::kConnectFailed, 0, true, false, 3, 3, D::kDeliver},
        Case{G, O::kConnectFailed, 0, false, false, 3, 3, D::kDeliver},
        Case{G, O::kConnectTimeout, 0, false, true, 3, 3, D::kDeliver},
        Case{P, O::kConnectFailed, 0, true, true, 3, 3, D::kDeliver},
        Case{PUT, O::kConnectTimeout, 0, true, true, 3, 3, D::kDeliver},
        Case{G, O::kConnectFailed, 0, false, false, 1, 1, D::kDeliver}));

INSTANTIATE_TEST_SUITE_P(ReadTimeout, Failover,
                         ::testing::Values(
                             // GET/HEAD retried on the same origin while attempts are left.
                             Case{G, O::kReadTimeout, 0, false, false, 1, 3, D::kRetrySameOrigin},
                             Case{H, O::kReadTimeout, 0, true, true, 2, 3, D::kRetrySameOrigin},
                             // OPTIONS and others are not retried; OPTIONS may fail over.
                             Case{OPT, O::kReadTimeout, 0, true, true, 1, 3, D::kNextOrigin},
                             Case{OPT, O::kReadTimeout, 0, false, false, 1, 3, D::kDeliver},
                             Case{P, O::kReadTimeout, 0, false, false, 1, 3, D::kDeliver},
                             Case{P, O::kReadTimeout, 0, true, true, 1, 3, D::kDeliver},
                             Case{DEL, O::kReadTimeout, 0, true, true, 1, 3, D::kDeliver},
                             // Exhausted.
                             Case{G, O::kReadTimeout, 0, true, true, 3, 3, D::kNextOrigin},
                             Case{H, O::kReadTimeout, 0, true, false, 3, 3, D::kDeliver},
                             Case{G, O::kReadTimeout, 0, false, false, 3, 3, D::kDeliver},
                             Case{G, O::kReadTimeout, 0, true, true, 1, 1, D::kNextOrigin}));

INSTANTIATE_TEST_SUITE_P(
    ClosedOrBad, Failover,
    ::testing::Values(Case{G, O::kOriginClosed, 0, true, true, 1, 3, D::kNextOrigin},
                      Case{H, O::kBadResponse, 0, true, true, 1, 3, D::kNextOrigin},
                      Case{OPT, O::kOriginClosed, 0, true, true, 1, 3, D::kNextOrigin},
                      // Never retried on the same origin.
                      Case{G, O::kOriginClosed, 0, false, false, 1, 3, D::kDeliver},
                      Case{G, O::kBadResponse, 0, false, false, 1, 3, D::kDeliver},
                      Case{G, O::kOriginClosed, 0, true, false, 1, 3, D::kDeliver},
                      Case{P, O::kOriginClosed, 0, true, true, 1, 3, D::kDeliver},
                      Case{PATCH, O::kBadResponse, 0, true, true, 1, 3, D::kDeliver}));

TEST(FailoverMethod, OnlyGetHeadOptions) {
  EXPECT_TRUE(is_failover_method(Method::kGet));
  EXPECT_TRUE(is_failover_method(Method::kHead));
  EXPECT_TRUE(is_failover_method(Method::kOptions));
  for (Method m : {Method::kPut, Method::kPost, Method::kPatch, Method::kDelete, Method::kOther}) {
    EXPECT_FALSE(is_failover_method(m)) << http::method_name(m);
  }
}

TEST(StatusForFailure, Mapping) {
  EXPECT_EQ(status_for_failure(O::kConnectFailed), 502);
  EXPECT_EQ(status_for_failure(O::kOriginClosed), 502);
  EXPECT_EQ(status_for_failure(O::kBadResponse), 502);
  EXPECT_EQ(status_for_failure(O::kConnectTimeout), 504);
  EXPECT_EQ(status_for_failure(O::kReadTimeout), 504);
}

TEST(Failover, EmptyCodeListNeverFailsOverOnResponse) {
  std::vector<int> none;
  FailoverContext ctx{&none, true, 1, 3};
  EXPECT_EQ(decide_failover(Method::kGet, {O::kResponse, 500}, ctx), D::kDeliver);
  EXPECT_EQ(decide_failover(Method::kGet, {O::kOriginClosed, 0}, ctx), D::kNextOrigin);
}

}  // namespace
}  // namespace edgefront::upstream
