// One request/response exchange with an HTTP origin over a pooled connection: connect (with
// CloudFront's ConnectionTimeout), send the head and body, read the response head within
// OriginReadTimeout, then stream the body. The caller decides about failover.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "config/config.h"
#include "http/exchange.h"
#include "upstream/availability_watch.h"
#include "upstream/connection_pool.h"
#include "upstream/failover_policy.h"
#include "upstream/fault_table.h"
#include "upstream/inflight.h"

namespace edgefront::upstream {

// The request body, as the fetch may need to send it.
struct OutgoingBody {
  std::span<const char> buffered;       // replayable bytes (small bodies of failover methods)
  http::RequestBody* stream = nullptr;  // one-shot: read from the viewer while sending
  bool chunked = false;                 // frame as chunked (length unknown)
  uint64_t length = 0;                  // Content-Length when not chunked
};

class OriginFetch final : private AvailabilityWatch::Waiter {
 public:
  OriginFetch(ConnectionPool& pool, const config::Origin& origin, OriginEndpoint endpoint);
  ~OriginFetch();

  // Sends `request` and reads the response head. On kResponse, head() is valid.
  net::awaitable<AttemptResult> start(const http::RequestHead& request, OutgoingBody body);
  http::ResponseHead& head();
  http::BodyLength body_length() const;
  // Next body chunk; empty when complete. Errors mean the response is truncated.
  net::awaitable<Result<std::span<const char>>> read_body();
  // Ends the exchange: a complete, keep-alive connection goes back to the pool.
  void release();
  // Why the last attempt failed, for logs and the attempts header.
  const std::string& error_detail() const { return error_detail_; }
  bool request_body_consumed() const { return body_consumed_; }
  // Set when reading the viewer's body failed while sending it (viewer's fault).
  const std::optional<Error>& viewer_error() const { return viewer_error_; }
  // Makes this exchange fail as `fault` says (admin fault injection); call before start().
  void inject(FaultRef fault) { fault_ = std::move(fault); }
  // Keeps the origin's in-flight slot for as long as this exchange lives.
  void hold(InflightSlot slot) { inflight_ = std::move(slot); }
  // Per-attempt timeouts narrower than the origin's (adaptive connect timeout, what is left
  // of a request's failover budget); call before start().
  void set_connect_timeout(config::Duration d) { connect_timeout_ = d; }
  void set_head_timeout(config::Duration d) { head_timeout_ = d; }
  config::Duration connect_timeout() const { return connect_timeout_; }
  // While start() waits (connect, sending, response head), `watch` moves this attempt off
  // `member` once it is judged unavailable and `alternative` (the next member, if any) is
  // not: start() then returns kMemberUnavailable. Call before start().
  void watch_availability(AvailabilityWatch& watch, const OriginHealth& member,
                          const OriginHealth* alternative) {
    watch_ = &watch;
    watched_member_ = &member;
    watched_alternative_ = alternative;
  }
  // How long the TCP connect took, if this attempt opened a new connection.
  std::optional<std::chrono::microseconds> connect_duration() const { return connect_duration_; }

 private:
  net::awaitable<AttemptResult> start_watched(const http::RequestHead& request, OutgoingBody body);
  net::awaitable<AttemptResult> connect();
  // AvailabilityWatch::Waiter: cancels whatever start() is waiting on.
  void member_unavailable() override;
  AttemptResult abandon();
  // Waits `d` (injected faults), cut short by member_unavailable().
  net::awaitable<void> pause(config::Duration d);
  net::awaitable<Status> send_request(const std::string& head, const OutgoingBody& body);
  net::awaitable<AttemptResult> read_head(bool is_head_request);
  AttemptResult fail(AttemptOutcome outcome, std::string detail);
  net::awaitable<Result<std::span<const char>>> read_origin_body();
  // Injected faults (fault_injection.cc).
  net::awaitable<std::optional<AttemptResult>> fault_before_connect();
  net::awaitable<std::optional<AttemptResult>> fault_before_head();
  AttemptResult synthesize_status();
  Result<std::span<const char>> cut_body(Result<std::span<const char>> chunk);

  ConnectionPool& pool_;
  const config::Origin& origin_;
  OriginEndpoint endpoint_;
  std::string pool_key_;
  std::unique_ptr<OriginConnection> conn_;
  std::string error_detail_;
  size_t next_span_ = 0;
  bool body_consumed_ = false;
  std::optional<Error> viewer_error_;
  config::Duration connect_timeout_;
  config::Duration head_timeout_;
  std::optional<std::chrono::microseconds> connect_duration_;
  FaultRef fault_;
  InflightSlot inflight_;
  std::optional<http::ResponseHead> synthetic_head_;  // kStatus faults: no connection
  std::string synthetic_body_;
  bool synthetic_body_sent_ = false;
  AvailabilityWatch* watch_ = nullptr;
  const OriginHealth* watched_member_ = nullptr;
  const OriginHealth* watched_alternative_ = nullptr;
  bool abandoned_ = false;  // the watch found the member unavailable
  // What start() waits on right now, for member_unavailable() to cancel.
  net::tcp::socket* waiting_socket_ = nullptr;
  net::tcp::resolver* waiting_resolver_ = nullptr;
  asio::steady_timer* waiting_timer_ = nullptr;
  uint64_t body_bytes_ = 0;   // delivered so far, for kResetMidBody
  bool cut_pending_ = false;  // kResetMidBody: the cut point was reached
};

}  // namespace edgefront::upstream
