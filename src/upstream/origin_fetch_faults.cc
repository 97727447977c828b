// Injected faults applied inside an origin exchange, at the point where the real failure
// would show: before the connect (refuse, black hole), between the request and the response
// head (delay), instead of the exchange (status), or in the body (reset). Each yields what
// the real failure yields, so failover, ejection and counters treat them alike.
#include <fmt/format.h>

#include "upstream/origin_fetch.h"

namespace edgefront::upstream {

net::awaitable<std::optional<AttemptResult>> OriginFetch::fault_before_connect() {
  if (!fault_) co_return std::nullopt;
  if (fault_->spec.kind == FaultKind::kRefuse) {
    co_return fail(AttemptOutcome::kConnectFailed,
                   fmt::format("connect to {}:{} refused (injected fault #{})", endpoint_.host,
                               endpoint_.port, fault_->id));
  }
  if (fault_->spec.kind == FaultKind::kBlackhole) {
    // The SYN goes unanswered: nothing happens until ConnectionTimeout.
    co_await pause(connect_timeout_);
    if (abandoned_) co_return abandon();
    co_return fail(AttemptOutcome::kConnectTimeout,
                   fmt::format("connect to {}:{} timed out (injected black hole #{})",
                               endpoint_.host, endpoint_.port, fault_->id));
  }
  co_return std::nullopt;
}

net::awaitable<std::optional<AttemptResult>> OriginFetch::fault_before_head() {
  if (!fault_ || fault_->spec.kind != FaultKind::kDelay) co_return std::nullopt;
  config::Duration delay(fault_->spec.delay_ms);
  if (delay < head_timeout_) {
    co_await pause(delay);
    if (abandoned_) co_return abandon();
    co_return std::nullopt;
  }
  // A head later than OriginReadTimeout is a read timeout, as from a slow origin.
  co_await pause(head_timeout_);
  if (abandoned_) co_return abandon();
  co_return fail(AttemptOutcome::kReadTimeout,
                 fmt::format("no response within {} ms (injected delay of {} ms, fault #{})",
                             head_timeout_.count(), delay.count(), fault_->id));
}

AttemptResult OriginFetch::synthesize_status() {
  http::ResponseHead head;
  head.status = fault_->spec.status;
  head.headers.add("Content-Type", "text/plain; charset=utf-8");
  head.headers.add("Cache-Control", "no-store");
  synthetic_head_ = std::move(head);
  synthetic_body_ = fmt::format("injected fault #{}: status {}\n", fault_->id, fault_->spec.status);
  return AttemptResult{AttemptOutcome::kResponse, fault_->spec.status};
}

// Passes the body through up to `after_bytes`; a body longer than that is cut there and the
// next read fails as a reset connection would.
Result<std::span<const char>> OriginFetch::cut_body(Result<std::span<const char>> chunk) {
  if (!chunk.ok()) return chunk;
  std::span<const char> data = chunk.value();
  const uint64_t limit = fault_->spec.after_bytes;
  if (!cut_pending_ && data.empty()) return data;  // complete within the limit
  if (cut_pending_ || body_bytes_ >= limit) {
    cut_pending_ = true;
    if (conn_) {
      conn_->stream().close();
      conn_.reset();
    }
    error_detail_ = fmt::format("connection reset after {} body bytes (injected fault #{})",
                                body_bytes_, fault_->id);
    return make_error(ErrorKind::kOriginClosed, Fault::kOrigin, error_detail_);
  }
  uint64_t left = limit - body_bytes_;
  if (data.size() > left) {
    data = data.first(static_cast<size_t>(left));
    cut_pending_ = true;
  }
  body_bytes_ += data.size();
  return data;
}

}  // namespace edgefront::upstream
