#include "upstream/origin_fetch.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <charconv>

#include "http/h1_serialize.h"
#include "net/draining_read.h"
#include "upstream/tls_client.h"

namespace edgefront::upstream {

namespace {
bool is_timeout(const std::error_code& ec) { return ec == asio::error::timed_out; }
}  // namespace

OriginFetch::OriginFetch(ConnectionPool& pool, const config::Origin& origin,
                         OriginEndpoint endpoint)
    : pool_(pool),
      origin_(origin),
      endpoint_(std::move(endpoint)),
      pool_key_(endpoint_.pool_key()),
      connect_timeout_(origin.connection_timeout),
      head_timeout_(origin.read_timeout) {}

OriginFetch::~OriginFetch() {
  if (conn_) conn_->stream().close();
}

AttemptResult OriginFetch::fail(AttemptOutcome outcome, std::string detail) {
  error_detail_ = std::move(detail);
  if (conn_) {
    conn_->stream().close();
    conn_.reset();
  }
  return AttemptResult{outcome, 0};
}

void OriginFetch::member_unavailable() {
  abandoned_ = true;
  std::error_code ignored;
  if (waiting_socket_) waiting_socket_->cancel(ignored);
  if (waiting_resolver_) waiting_resolver_->cancel();
  if (waiting_timer_) waiting_timer_->cancel();
  if (conn_) conn_->stream().socket().cancel(ignored);
}

AttemptResult OriginFetch::abandon() {
  return fail(
      AttemptOutcome::kMemberUnavailable,
      fmt::format("{}:{} judged unavailable while waiting on it", endpoint_.host, endpoint_.port));
}

net::awaitable<void> OriginFetch::pause(config::Duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  waiting_timer_ = &timer;
  std::error_code ignored;
  co_await timer.async_wait(net::use_ec(ignored));
  waiting_timer_ = nullptr;
}

net::awaitable<AttemptResult> OriginFetch::connect() {
  if (auto injected = co_await fault_before_connect()) co_return *injected;
  auto executor = co_await asio::this_coro::executor;
  net::tcp::socket socket(executor);
  net::tcp::resolver resolver(executor);
  // Visible to member_unavailable() while this frame waits.
  waiting_socket_ = &socket;
  waiting_resolver_ = &resolver;
  struct Forget {
    OriginFetch& f;
    ~Forget() {
      f.waiting_socket_ = nullptr;
      f.waiting_resolver_ = nullptr;
    }
  } forget{*this};
  net::Deadline deadline(executor, [&socket, &resolver] {
    std::error_code ignored;
    socket.cancel(ignored);
    resolver.cancel();
  });
  deadline.expires_after(connect_timeout_);
  const SteadyTime connect_start = std::chrono::steady_clock::now();

  std::error_code ec;
  asio::ip::address literal = asio::ip::make_address(endpoint_.host, ec);
  if (!ec) {
    co_await socket.async_connect(net::tcp::endpoint(literal, endpoint_.port), net::use_ec(ec));
  } else {
    ec.clear();
    auto endpoints = co_await resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                                                     net::use_ec(ec));
    if (ec && abandoned_) co_return abandon();
    if (ec) {
      co_return fail(
          deadline.expired() ? AttemptOutcome::kConnectTimeout : AttemptOutcome::kConnectFailed,
          fmt::format("DNS lookup of {} failed: {}", endpoint_.host, ec.message()));
    }
    co_await asio::async_connect(socket, endpoints, net::use_ec(ec));
  }
  if (ec && abandoned_) co_return abandon();
  if (ec) {
    bool timed_out = deadline.expired();
    co_return fail(timed_out ? AttemptOutcome::kConnectTimeout : AttemptOutcome::kConnectFailed,
                   fmt::format("connect to {}:{} {}", endpoint_.host, endpoint_.port,
                               timed_out ? "timed out" : ec.message()));
  }
  if (abandoned_) co_return abandon();  // connected just as the member was given up
  connect_duration_ = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - connect_start);
  socket.set_option(net::tcp::no_delay(true), ec);
  net::enable_drain_hint(socket);

  if (!endpoint_.tls) {
    conn_ = std::make_unique<OriginConnection>(net::Stream(std::move(socket)), pool_key_);
    co_return AttemptResult{AttemptOutcome::kResponse, 0};
  }
  auto tls = make_origin_tls_stream(std::move(socket), endpoint_);
  if (!tls.ok()) co_return fail(AttemptOutcome::kConnectFailed, tls.error().message);
  auto& stream = *tls.value();
  waiting_socket_ = &stream.next_layer();
  co_await stream.async_handshake(asio::ssl::stream_base::client, net::use_ec(ec));
  if (ec && abandoned_) {
    std::error_code ignored;
    stream.next_layer().close(ignored);
    co_return abandon();
  }
  if (ec) {
    std::string why = ec.message();
    long verify = SSL_get_verify_result(stream.native_handle());
    if (verify != X509_V_OK) why = X509_verify_cert_error_string(verify);
    std::error_code ignored;
    stream.next_layer().close(ignored);
    co_return fail(
        deadline.expired() ? AttemptOutcome::kConnectTimeout : AttemptOutcome::kConnectFailed,
        fmt::format("TLS handshake with {}:{} failed: {}", endpoint_.host, endpoint_.port, why));
  }
  conn_ = std::make_unique<OriginConnection>(net::Stream(std::move(tls.value())), pool_key_);
  co_return AttemptResult{AttemptOutcome::kResponse, 0};
}

net::awaitable<AttemptResult> OriginFetch::start(const http::RequestHead& request,
                                                 OutgoingBody body) {
  if (!watch_) co_return co_await start_watched(request, body);
  // Not inside the constructor's arguments: GCC 12 mishandles co_await there.
  const net::Executor executor = co_await asio::this_coro::executor;
  AvailabilityWatch::Registration watching(*watch_, executor, *watched_member_,
                                           watched_alternative_, *this);
  co_return co_await start_watched(request, body);
}

net::awaitable<AttemptResult> OriginFetch::start_watched(const http::RequestHead& request,
                                                         OutgoingBody body) {
  if (fault_ && fault_->spec.kind == FaultKind::kStatus) co_return synthesize_status();
  std::string head;
  serialize_request_head(request, head);
  // Framing headers go just before the blank line that ends the head.
  std::string framing;
  if (body.stream != nullptr && body.chunked) {
    framing = "Transfer-Encoding: chunked\r\n";
  } else if (body.stream != nullptr) {
    framing = fmt::format("Content-Length: {}\r\n", body.length);
  } else if (!body.buffered.empty() || body.length > 0 || request.content_length) {
    framing = fmt::format("Content-Length: {}\r\n", body.buffered.size());
  }
  head.insert(head.size() - 2, framing);

  // A pooled connection the origin closed meanwhile fails before any response byte; then
  // one fresh connection is tried, as long as the request can still be sent again.
  for (int round = 0; round < 2; ++round) {
    // A refused or black-holed origin must not be reached over a pooled connection either.
    bool connect_fault = fault_ && (fault_->spec.kind == FaultKind::kRefuse ||
                                    fault_->spec.kind == FaultKind::kBlackhole);
    conn_ = connect_fault ? nullptr : pool_.take(pool_key_);
    bool reused = conn_ != nullptr;
    if (!reused) {
      AttemptResult connected = co_await connect();
      if (!conn_) co_return connected;
    }
    Status sent = co_await send_request(head, body);
    if (abandoned_) co_return abandon();
    if (!sent.ok()) {
      if (reused && !body_consumed_) {
        conn_->stream().close();
        conn_.reset();
        continue;
      }
      co_return fail(sent.error().kind == ErrorKind::kReadTimeout ? AttemptOutcome::kReadTimeout
                                                                  : AttemptOutcome::kOriginClosed,
                     sent.error().message);
    }
    if (auto injected = co_await fault_before_head()) co_return *injected;
    AttemptResult result = co_await read_head(request.method == http::Method::kHead);
    if (abandoned_ && result.outcome != AttemptOutcome::kResponse) co_return abandon();
    if (result.outcome == AttemptOutcome::kOriginClosed && reused && !body_consumed_) {
      continue;
    }
    co_return result;
  }
  co_return fail(AttemptOutcome::kOriginClosed, "origin closed the connection");
}

net::awaitable<Status> OriginFetch::send_request(const std::string& head,
                                                 const OutgoingBody& body) {
  OriginConnection& c = *conn_;
  std::error_code ec;
  auto write = [&](std::span<const asio::const_buffer> bufs) -> net::awaitable<Status> {
    c.deadline().expires_after(origin_.read_timeout);
    co_await c.stream().write(bufs, ec);
    c.deadline().disarm();
    if (ec) {
      co_return make_error(
          c.deadline().expired() ? ErrorKind::kReadTimeout : ErrorKind::kOriginClosed,
          Fault::kOrigin, fmt::format("sending the request: {}", ec.message()));
    }
    co_return ok_status();
  };

  if (body.stream == nullptr) {
    std::array<asio::const_buffer, 2> bufs{
        asio::buffer(head), asio::buffer(body.buffered.data(), body.buffered.size())};
    co_return co_await write(bufs);
  }
  // Stream the viewer's body; the head goes out with the first chunk.
  bool head_sent = false;
  std::string frame;
  while (true) {
    auto chunk = co_await body.stream->read();
    body_consumed_ = true;
    if (!chunk.ok()) {
      viewer_error_ = chunk.error();
      co_return chunk.error();
    }
    std::span<const char> data = chunk.value();
    frame.clear();
    if (body.chunked) {
      if (data.empty()) {
        frame = "0\r\n\r\n";
      } else {
        http::append_chunk_size(data.size(), frame);
      }
    }
    std::array<asio::const_buffer, 4> bufs;
    size_t n = 0;
    if (!head_sent) bufs[n++] = asio::buffer(head);
    head_sent = true;
    if (!frame.empty()) bufs[n++] = asio::buffer(frame);
    if (!data.empty()) bufs[n++] = asio::buffer(data.data(), data.size());
    if (body.chunked && !data.empty()) bufs[n++] = asio::buffer("\r\n", 2);
    Status st = co_await write(std::span<const asio::const_buffer>(bufs.data(), n));
    if (!st.ok()) co_return st;
    if (data.empty()) co_return ok_status();
  }
}

net::awaitable<AttemptResult> OriginFetch::read_head(bool is_head_request) {
  OriginConnection& c = *conn_;
  http::H1Parser& parser = c.parser();
  parser.set_request_method(is_head_request ? http::Method::kHead : http::Method::kGet);
  bool got_bytes = false;
  while (true) {
    if (!c.unparsed().empty()) {
      got_bytes = true;
      size_t consumed = 0;
      auto event = parser.feed(c.unparsed(), consumed);
      c.consume(consumed);
      if (event == http::H1Parser::Event::kError) {
        co_return fail(AttemptOutcome::kBadResponse,
                       fmt::format("bad response: {}", parser.error_reason()));
      }
      if (parser.head_complete()) {
        int status = parser.response().status;
        if (status >= 200) co_return AttemptResult{AttemptOutcome::kResponse, status};
        if (status == 101) co_return fail(AttemptOutcome::kBadResponse, "unexpected 101");
        // Informational responses (100, 103) are skipped.
        if (parser.message_complete()) parser.next_message();
        continue;
      }
    }
    std::error_code ec;
    size_t n = co_await c.read_more(head_timeout_, ec);
    if (is_timeout(ec)) {
      co_return fail(AttemptOutcome::kReadTimeout,
                     fmt::format("no response within {} ms", head_timeout_.count()));
    }
    if (ec || n == 0) {
      co_return fail(got_bytes ? AttemptOutcome::kBadResponse : AttemptOutcome::kOriginClosed,
                     ec ? ec.message() : "origin closed the connection");
    }
  }
}

http::ResponseHead& OriginFetch::head() {
  return synthetic_head_ ? *synthetic_head_ : conn_->parser().response();
}

http::BodyLength OriginFetch::body_length() const {
  if (synthetic_head_) return http::BodyLength::known(synthetic_body_.size());
  http::H1Parser& parser = conn_->parser();
  int status = parser.response().status;
  if (status == 204 || status == 304) return http::BodyLength::none();
  if (auto cl = parser.response().headers.get("Content-Length")) {
    uint64_t n = 0;
    auto [p, err] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (err == std::errc() && p == cl->data() + cl->size()) return http::BodyLength::known(n);
  }
  if (parser.message_complete() && parser.body_spans().empty()) return http::BodyLength::none();
  return http::BodyLength::unknown();
}

net::awaitable<Result<std::span<const char>>> OriginFetch::read_body() {
  if (synthetic_head_) {
    if (synthetic_body_sent_) co_return std::span<const char>();
    synthetic_body_sent_ = true;
    co_return std::span<const char>(synthetic_body_);
  }
  if (!fault_ || fault_->spec.kind != FaultKind::kResetMidBody) {
    co_return co_await read_origin_body();
  }
  if (cut_pending_) co_return cut_body(Result<std::span<const char>>(std::span<const char>()));
  co_return cut_body(co_await read_origin_body());
}

net::awaitable<Result<std::span<const char>>> OriginFetch::read_origin_body() {
  OriginConnection& c = *conn_;
  http::H1Parser& parser = c.parser();
  while (true) {
    if (next_span_ < parser.body_spans().size()) co_return parser.body_spans()[next_span_++];
    parser.clear_body_spans();
    next_span_ = 0;
    if (parser.message_complete()) co_return std::span<const char>();
    if (!c.unparsed().empty()) {
      size_t consumed = 0;
      auto event = parser.feed(c.unparsed(), consumed);
      c.consume(consumed);
      if (event == http::H1Parser::Event::kError) {
        co_return make_error(ErrorKind::kBadResponse, Fault::kOrigin, parser.error_reason());
      }
      continue;
    }
    std::error_code ec;
    size_t n = co_await c.read_more(origin_.read_timeout, ec);
    if (is_timeout(ec)) {
      co_return make_error(ErrorKind::kReadTimeout, Fault::kOrigin, "origin stalled mid-body");
    }
    if (ec) co_return make_error(ErrorKind::kOriginClosed, Fault::kOrigin, ec.message());
    if (n == 0) {
      if (parser.finish() == http::H1Parser::Event::kMessageComplete) continue;
      co_return make_error(ErrorKind::kOriginClosed, Fault::kOrigin,
                           "origin closed the connection before the end of the body");
    }
  }
}

void OriginFetch::release() {
  if (!conn_) return;
  if (conn_->reusable() && conn_->stream().is_open()) {
    pool_.put(std::move(conn_), origin_.keepalive_timeout);
  } else {
    conn_->stream().close();
    conn_.reset();
  }
}

}  // namespace edgefront::upstream
