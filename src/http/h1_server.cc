#include "http/h1_server.h"

#include "http/body_allowance.h"
#include "http/error_page.h"
#include "http/h1_serialize.h"
#include "http/http_date.h"
#include "net/leased_read.h"

namespace edgefront::http {

namespace {

// How long our TLS close_notify may wait for room in the socket before it is closed anyway.
constexpr std::chrono::milliseconds kTlsCloseGrace{200};
constexpr uint64_t kMaxDrainBytes = 256 * 1024;

H1Parser::Limits parser_limits(const config::Limits& l) {
  return H1Parser::Limits{l.max_header_bytes, l.max_header_count, l.max_uri_bytes};
}

DateCache& thread_date_cache() {
  thread_local DateCache cache;
  return cache;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Request body: pulls body spans out of the parser, reading more from the socket as needed.
class H1ServerConnection::Body final : public RequestBody {
 public:
  explicit Body(H1ServerConnection& c) : c_(c) {}

  awaitable<Result<std::span<const char>>> read() override {
    H1Parser& p = c_.parser_;
    while (true) {
      if (p.body_bytes() > c_.limits_.max_body_bytes) {
        co_return make_error(ErrorKind::kTooLarge, Fault::kViewer, "request body too large");
      }
      if (next_span_ < p.body_spans().size()) {
        std::span<const char> span = p.body_spans()[next_span_++];
        read_ += span.size();
        co_return span;
      }
      p.clear_body_spans();
      next_span_ = 0;
      if (p.message_complete()) co_return std::span<const char>();
      if (!c_.in_.empty()) {
        size_t consumed = 0;
        auto event = p.feed(c_.in_.pending(), consumed);
        c_.in_.consume(consumed);
        if (event == H1Parser::Event::kError) {
          co_return make_error(ErrorKind::kBadRequest, Fault::kViewer, p.error_reason());
        }
        continue;
      }
      if (expect_continue_ && !sent_continue_) {
        sent_continue_ = true;
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        std::error_code ec;
        c_.deadline_.expires_after(c_.limits_.send_timeout);
        co_await c_.stream_.write(asio::buffer(kContinue), ec);
        if (ec) co_return make_error(ErrorKind::kViewerClosed, Fault::kViewer, ec.message());
      }
      if (!co_await c_.read_more(c_.limits_.body_timeout)) {
        co_return make_error(
            c_.deadline_.expired() ? ErrorKind::kViewerTimeout : ErrorKind::kViewerClosed,
            Fault::kViewer, "viewer stopped sending the request body");
      }
    }
  }

  bool complete() const override { return c_.parser_.message_complete(); }
  uint64_t bytes_read() const override { return read_; }

  bool expect_continue_ = false;
  bool sent_continue_ = false;

 private:
  H1ServerConnection& c_;
  size_t next_span_ = 0;
  uint64_t read_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Response sink: queues the head and writes it with the first body bytes (one syscall for a
// small response); frames the body with Content-Length or chunked encoding.
class H1ServerConnection::Sink final : public ResponseSink {
 public:
  Sink(H1ServerConnection& c, const RequestHead& request) : c_(c), request_(request) {}

  awaitable<Status> send_head(ResponseHead head, BodyLength length) override {
    if (head_queued_)
      co_return make_error(ErrorKind::kInternal, Fault::kInternal, "head sent twice");
    out_.clear();
    bool has_date = append_unframed_head(head, {}, out_);
    frame_head(head.status, has_date, length);
    co_return ok_status();
  }

  bool answers_at_once() const override { return true; }

  Status queue_wire_head(const WireHead& base, std::string_view own_lines,
                         BodyLength length) override {
    if (head_queued_) return make_error(ErrorKind::kInternal, Fault::kInternal, "head sent twice");
    out_.clear();
    out_.append(base.lines);
    out_.append(own_lines);
    frame_head(base.status, base.has_date, length);
    return ok_status();
  }

  awaitable<Status> send_body(std::span<const char> data) override {
    BodyBuffers b;
    Status framed = frame_body(data, b);
    if (!framed.ok() || b.count == 0) co_return framed;
    co_return co_await write(b.span());
  }

  Status send_body_at_once(std::span<const char> data) override {
    BodyBuffers b;
    Status framed = frame_body(data, b);
    if (!framed.ok() || b.count == 0) return framed;
    return write_at_once(b.span());
  }

  awaitable<Status> finish() override {
    Status ended = end_body();
    if (!ended.ok() || out_.empty()) co_return ended;
    asio::const_buffer buf = asio::buffer(out_);
    co_return co_await write(std::span<const asio::const_buffer>(&buf, 1));
  }

  Status finish_at_once() override {
    Status ended = end_body();
    if (!ended.ok() || out_.empty()) return ended;
    asio::const_buffer buf = asio::buffer(out_);
    return write_at_once(std::span<const asio::const_buffer>(&buf, 1));
  }

  awaitable<Status> flush() override {
    if (pending_.empty()) co_return ok_status();
    std::string rest = std::exchange(pending_, {});
    std::vector<asio::const_buffer> bufs{asio::const_buffer(rest.data(), rest.size())};
    co_return co_await write_waiting(std::move(bufs));
  }

  void abort() override {
    aborted_ = true;
    tally_.aborted = true;
    c_.keep_alive_ = false;
    c_.close_now();
  }

  bool committed() const override { return committed_; }
  uint64_t body_bytes_sent() const override { return body_.taken(); }
  bool finished() const { return body_.ended(); }
  bool aborted() const { return aborted_; }
  bool head_queued() const { return head_queued_; }
  bool has_pending() const { return !pending_.empty(); }
  int status() const { return status_; }

 private:
  // One body piece as buffers: the queued head (first piece only), chunk framing if chunked.
  struct BodyBuffers {
    std::array<asio::const_buffer, 3> bufs;
    size_t count = 0;
    std::span<const asio::const_buffer> span() const { return {bufs.data(), count}; }
  };

  Status frame_body(std::span<const char> data, BodyBuffers& b) {
    if (!head_queued_)
      return make_error(ErrorKind::kInternal, Fault::kInternal, "body before head");
    if (body_.no_body() || data.empty()) return ok_status();
    Status allowed = body_.take(data.size());
    if (!allowed.ok()) return allowed;
    const size_t head_part = out_.size();
    if (chunked_) append_chunk_size(data.size(), out_);
    tally_.body_bytes += out_.size() - head_part + data.size() + (chunked_ ? 2 : 0);
    if (!out_.empty()) b.bufs[b.count++] = asio::buffer(out_);
    b.bufs[b.count++] = asio::buffer(data.data(), data.size());
    if (chunked_) b.bufs[b.count++] = asio::buffer("\r\n", 2);
    return ok_status();
  }

  // The end of the body; leaves in out_ what must still go out (a head never sent, the last
  // chunk).
  Status end_body() {
    if (!head_queued_) {
      return make_error(ErrorKind::kInternal, Fault::kInternal, "finish before head");
    }
    Result<bool> ended = body_.end();
    if (!ended.ok()) {
      abort();
      return ended.error();
    }
    if (ended.value() && chunked_) {
      out_.append("0\r\n\r\n");
      tally_.body_bytes += 5;
    }
    return ok_status();
  }

  Status closed_error() const {
    return make_error(ErrorKind::kViewerClosed, Fault::kViewer, "connection closed");
  }

  Status viewer_error(std::error_code ec) {
    c_.keep_alive_ = false;
    return make_error(c_.deadline_.expired() ? ErrorKind::kViewerTimeout : ErrorKind::kViewerClosed,
                      Fault::kViewer, ec.message());
  }

  // The part of `bufs` after its first `skip` bytes.
  static std::vector<asio::const_buffer> unwritten(std::span<const asio::const_buffer> bufs,
                                                   size_t skip) {
    std::vector<asio::const_buffer> rest;
    for (const asio::const_buffer& b : bufs) {
      size_t n = std::min(skip, b.size());
      skip -= n;
      if (n < b.size()) rest.push_back(asio::buffer(b + n));
    }
    return rest;
  }

  // Writes what the socket takes without waiting (nothing while earlier bytes are pending,
  // which must go first); `written` counts it.
  Status write_without_waiting(std::span<const asio::const_buffer> bufs, size_t& written) {
    written = 0;
    if (c_.closed_) return closed_error();
    committed_ = true;
    if (!pending_.empty()) return ok_status();
    std::error_code ec;
    written = c_.stream_.write_now(bufs, ec);
    return ec ? viewer_error(ec) : ok_status();
  }

  awaitable<Status> write(std::span<const asio::const_buffer> bufs) {
    if (!pending_.empty()) {
      Status flushed = co_await flush();
      if (!flushed.ok()) co_return flushed;
    }
    // Most answers fit the socket buffer: written at once, no timer and no wait.
    size_t written = 0;
    Status result = write_without_waiting(bufs, written);
    if (result.ok() && written < asio::buffer_size(bufs)) {
      result = co_await write_waiting(unwritten(bufs, written));
    }
    out_.clear();
    co_return result;
  }

  // Writes what the socket takes now and keeps the rest for flush(), in order.
  Status write_at_once(std::span<const asio::const_buffer> bufs) {
    size_t written = 0;
    Status result = write_without_waiting(bufs, written);
    if (result.ok()) {
      for (const asio::const_buffer& b : unwritten(bufs, written)) {
        pending_.append(static_cast<const char*>(b.data()), b.size());
      }
    }
    out_.clear();
    return result;
  }

  // Writes `bufs`, waiting for the socket as long as the send timeout.
  awaitable<Status> write_waiting(std::vector<asio::const_buffer> bufs) {
    c_.deadline_.expires_after(c_.limits_.send_timeout);
    std::error_code ec;
    co_await c_.stream_.write(bufs, ec);
    // The send timeout bounds this write only, not the origin's pace until the next one.
    if (!ec) c_.deadline_.disarm();
    co_return ec ? viewer_error(ec) : ok_status();
  }

  // Ends the head queued in out_ (status line and fields, framing fields already left out)
  // with Date when the head has none, the framing of `length`, Connection, and the blank line.
  void frame_head(int status, bool has_date, BodyLength length) {
    head_queued_ = true;
    status_ = status;
    if (!has_date) {
      append_header_line("Date", thread_date_cache().now(coarse_system_now()), out_);
    }
    bool bodiless_status = status < 200 || status == 204 || status == 304;
    body_.start(bodiless_status || request_.method == Method::kHead, length);
    switch (length.kind) {
      case BodyLength::Kind::kKnown:
        if (!bodiless_status) append_header_line("Content-Length", length.length, out_);
        break;
      case BodyLength::Kind::kNone:
        if (!bodiless_status) append_header_line("Content-Length", "0", out_);
        break;
      case BodyLength::Kind::kUnknown:
        if (body_.no_body()) break;
        if (request_.version.at_least_1_1()) {
          append_header_line("Transfer-Encoding", "chunked", out_);
          chunked_ = true;
        } else {
          c_.keep_alive_ = false;  // body ends when the connection closes
        }
        break;
    }
    if (c_.tracker_.draining()) c_.keep_alive_ = false;
    if (!c_.keep_alive_) {
      append_header_line("Connection", "close", out_);
    } else if (!request_.version.at_least_1_1()) {
      append_header_line("Connection", "keep-alive", out_);
    }
    out_.append("\r\n");
    tally_.status = status;
    tally_.head_bytes = out_.size();
    tally_.head_queued = std::chrono::steady_clock::now();
  }

  H1ServerConnection& c_;
  const RequestHead& request_;
  std::string out_;
  std::string pending_;  // what write_at_once could not write yet
  BodyAllowance body_;
  int status_ = 0;
  bool head_queued_ = false;
  bool chunked_ = false;
  bool committed_ = false;
  bool aborted_ = false;
};

// ---------------------------------------------------------------------------------------------

H1ServerConnection::H1ServerConnection(net::Stream stream, Handler& handler,
                                       const config::Limits& limits, ConnectionTracker& tracker,
                                       ViewerConnection viewer)
    : stream_(std::move(stream)),
      handler_(handler),
      limits_(limits),
      tracker_(tracker),
      viewer_(std::move(viewer)),
      deadline_(stream_.socket().get_executor(),
                [this] {
                  std::error_code ignored;
                  stream_.socket().cancel(ignored);
                }),
      parser_(H1Parser::Kind::kRequest, parser_limits(limits)) {
  tracker_.add(this);
}

H1ServerConnection::~H1ServerConnection() { tracker_.remove(this); }

void H1ServerConnection::close_if_idle() {
  keep_alive_ = false;
  if (idle_) close_now();
}

void H1ServerConnection::close_now() {
  if (closed_) return;
  closed_ = true;
  stream_.close();
}

awaitable<void> H1ServerConnection::run(std::shared_ptr<H1ServerConnection> self) {
  // TCP_NODELAY is set where connections are accepted, before any byte.
  while (!self->closed_) {
    if (self->in_.empty()) {
      // Between requests the connection waits here, in this frame: a waiting connection then
      // keeps no serve_one / read_head / read_more frames alive (about 1 KiB), and holds no
      // input block (leased_read.h).
      self->idle_ = true;
      self->ended_cleanly_ = false;  // as serve_one would: an idle end sends no close_notify
      if (self->tracker_.draining()) break;
      self->in_.release_if_empty();
      self->deadline_.expires_after(self->limits_.idle_timeout);
      std::error_code ec;
      size_t n = 0;
      if (!self->stream_.is_tls()) {
        n = co_await self->stream_.socket().async_read_some(net::LeasedBuffer{&self->in_},
                                                            net::use_ec(ec));
      } else {
        n = co_await self->stream_.read_into(self->in_, ec);
      }
      if (ec || n == 0 || self->closed_) break;
    }
    co_await self->serve_one();
    if (!self->keep_alive_) break;
    self->parser_.next_message();
  }
  if (!self->closed_ && self->stream_.is_tls() && self->ended_cleanly_) {
    // A short grace for our close_notify to go out; the deadline cancels the socket.
    self->deadline_.expires_after(kTlsCloseGrace);
    std::error_code ec;
    co_await self->stream_.end_tls(ec);
  }
  self->deadline_.disarm();
  self->close_now();
}

// Reads more bytes into the input buffer; false on EOF, error or timeout. With nothing
// pending (an idle keep-alive connection, most of the time) the buffer is given back while
// waiting and taken again when bytes arrive (net/input_buffer.h).
awaitable<bool> H1ServerConnection::read_more(std::chrono::milliseconds timeout) {
  in_.release_if_empty();
  deadline_.expires_after(timeout);
  std::error_code ec;
  size_t n = 0;
  if (!stream_.is_tls()) {
    // Plain TCP awaits the socket itself: one coroutine frame less per waiting connection.
    n = co_await stream_.socket().async_read_some(net::LeasedBuffer{&in_}, net::use_ec(ec));
  } else {
    n = co_await stream_.read_into(in_, ec);
  }
  co_return !ec && n > 0;
}

// Parses until a full request head is available. False: the connection is done (EOF, an
// error already answered, or a timeout).
awaitable<bool> H1ServerConnection::read_head() {
  idle_ = true;
  // The header timeout runs from the first byte of the request: dribbling bytes slowly
  // (slowloris) does not extend it.
  std::chrono::steady_clock::time_point head_deadline{};
  while (true) {
    if (!in_.empty()) {
      if (idle_) head_deadline = std::chrono::steady_clock::now() + limits_.header_timeout;
      idle_ = false;
      size_t consumed = 0;
      auto event = parser_.feed(in_.pending(), consumed);
      in_.consume(consumed);
      if (event == H1Parser::Event::kHeadComplete || event == H1Parser::Event::kMessageComplete) {
        co_return true;
      }
      if (event == H1Parser::Event::kError) {
        co_await send_error_and_close(parser_.error_status(), parser_.error_reason());
        co_return false;
      }
    }
    if (closed_ || (idle_ && tracker_.draining())) co_return false;
    auto timeout = idle_ ? limits_.idle_timeout
                         : std::chrono::duration_cast<std::chrono::milliseconds>(
                               head_deadline - std::chrono::steady_clock::now());
    bool got = timeout.count() > 0 && co_await read_more(timeout);
    if (!got) {
      if (!idle_ && (deadline_.expired() || timeout.count() <= 0)) {
        co_await send_error_and_close(408, "timed out waiting for the request head");
      }
      co_return false;
    }
  }
}

bool H1ServerConnection::validate_head(int& status, std::string& reason) {
  RequestHead& r = parser_.request();
  if (r.method_text == "CONNECT") {
    status = 405;
    reason = "CONNECT is not supported";
    return false;
  }
  size_t hosts = r.headers.count("Host");
  if (hosts > 1 || (hosts == 0 && r.version.at_least_1_1())) {
    status = 400;
    reason = hosts > 1 ? "more than one Host header" : "missing Host header";
    return false;
  }
  // Absolute-form targets (RFC 9112 3.2.2): use the authority as Host and keep the path.
  if (r.target.starts_with("http://") || r.target.starts_with("https://")) {
    size_t scheme_end = r.target.find("://") + 3;
    size_t path_start = r.target.find_first_of("/?", scheme_end);
    std::string authority = r.target.substr(scheme_end, path_start - scheme_end);
    std::string rest = path_start == std::string::npos ? "/" : r.target.substr(path_start);
    if (!rest.empty() && rest[0] == '?') rest.insert(0, "/");
    r.headers.set("Host", authority);
    r.target = rest;
  }
  if (r.target.empty() || r.target[0] != '/') {
    status = 400;
    reason = "request target must be a path";
    return false;
  }
  if (auto expect = r.headers.get("Expect")) {
    if (!iequals(*expect, "100-continue")) {
      status = 417;
      reason = "unsupported Expect value";
      return false;
    }
  }
  if (r.content_length && *r.content_length > limits_.max_body_bytes) {
    status = 413;
    reason = "request body too large";
    return false;
  }
  return true;
}

awaitable<void> H1ServerConnection::serve_one() {
  ended_cleanly_ = false;
  if (!co_await read_head()) {
    keep_alive_ = false;
    co_return;
  }
  idle_ = false;
  deadline_.disarm();
  RequestHead& request = parser_.request();
  keep_alive_ = keep_alive_ && request.keep_alive && !tracker_.draining();

  int status = 0;
  std::string reason;
  if (!validate_head(status, reason)) {
    co_await send_error_and_close(status, reason);
    co_return;
  }

  Body body(*this);
  body.expect_continue_ = request.version.at_least_1_1() && request.headers.contains("Expect");
  request.headers.remove("Expect");
  Sink sink(*this, request);
  Exchange exchange{
      request, body, sink, viewer_, std::chrono::steady_clock::now(), parser_.head_bytes()};
  if (!handler_.answer_at_once(exchange)) {
    co_await handler_.handle(exchange);
  } else if (sink.has_pending()) {
    (void)co_await sink.flush();
  }

  if (sink.aborted() || closed_) {
    keep_alive_ = false;
    co_return;
  }
  if (!sink.finished()) {
    // A handler that returns without finishing has failed: never leave the viewer waiting
    // on a response that looks complete.
    if (!sink.committed() && !sink.head_queued()) {
      co_await send_error_and_close(500, "internal error");
    } else {
      sink.abort();
    }
    keep_alive_ = false;
    co_return;
  }
  ended_cleanly_ = true;  // a whole response went out
  if (!body.complete()) {
    // Unread request body (e.g. an error answered early). With 100-continue not sent the
    // viewer may not send it at all, so do not wait for it.
    if (body.expect_continue_ && !body.sent_continue_) {
      keep_alive_ = false;
    } else if (keep_alive_ && !co_await drain_request_body()) {
      keep_alive_ = false;
    }
  }
}

// Reads and discards what is left of a request body so the connection can be reused.
awaitable<bool> H1ServerConnection::drain_request_body() {
  Body body(*this);
  uint64_t start = parser_.body_bytes();
  while (!parser_.message_complete()) {
    auto chunk = co_await body.read();
    if (!chunk.ok()) co_return false;
    if (parser_.body_bytes() - start > kMaxDrainBytes) co_return false;
  }
  co_return true;
}

awaitable<void> H1ServerConnection::send_error_and_close(int status, std::string_view reason) {
  keep_alive_ = false;
  if (closed_) co_return;
  ResponseHead head;
  head.status = status;
  std::string body = error_page_html(status, reason);
  head.headers.add("Server", "edgefront");
  head.headers.add("Content-Type", "text/html; charset=utf-8");
  RequestHead& request = parser_.request();
  Sink sink(*this, request);
  (void)co_await sink.send_head(std::move(head), BodyLength::known(body.size()));
  (void)co_await sink.send_body(body);
  (void)co_await sink.finish();
  // Lingering close: stop writing, then discard what the viewer still sends for a moment.
  // Closing with unread input makes the kernel send RST, which can destroy the error
  // response before the viewer reads it.
  std::error_code ec;
  stream_.socket().shutdown(net::tcp::socket::shutdown_send, ec);
  deadline_.expires_after(std::chrono::seconds(2));
  std::array<char, 4096> scratch;
  size_t discarded = 0;
  while (!ec && !closed_ && discarded < kMaxDrainBytes) {
    size_t n = co_await stream_.read_some(asio::buffer(scratch), ec);
    if (n == 0) break;
    discarded += n;
  }
  close_now();
}

}  // namespace edgefront::http
