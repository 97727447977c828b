#include "http/h2_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "http/body_allowance.h"
#include "http/h1_serialize.h"
#include "http/h2_request.h"
#include "http/http_date.h"

namespace edgefront::http {

namespace {

constexpr size_t kIdleWriteBuffer = 4 * 1024;  // the writer's batch kept while it waits
// Bytes gathered from nghttp2 before one socket write.
constexpr size_t kWriteBatch = 64 * 1024;
constexpr auto kNever = std::chrono::steady_clock::time_point::max();
// Response bytes a connection may hold for viewers that withhold flow-control credit before
// hits stop being answered at once (see answer_at_once).
constexpr size_t kMaxQueuedAtOnce = 256 * 1024;
// Response bytes an answer held for the end of its request (Sink::hold) keeps without making
// the handler wait: enough for the refusals and error pages that answer early.
constexpr size_t kMaxHeldBody = 64 * 1024;

// A stream's request head in plain (HTTP/1.1-like) bytes, for the access log's cs-bytes:
// HPACK's compressed size is the connection's business, not the request's.
uint64_t plain_head_bytes(const RequestHead& request) {
  uint64_t n = request.method_text.size() + request.target.size() + 12;
  for (const auto& [name, value] : request.headers.fields()) n += name.size() + value.size() + 4;
  return n;
}

DateCache& thread_date_cache() {
  thread_local DateCache cache;
  return cache;
}

// Wakes a coroutine parked on `timer` (an expiry-never timer used as a condition signal).
void signal(asio::steady_timer& timer) { timer.cancel(); }

// Waits for signal() or `timeout` (zero: no timeout). True if signalled.
awaitable<bool> wait_signal(asio::steady_timer& timer, std::chrono::milliseconds timeout) {
  if (timeout.count() > 0) {
    timer.expires_after(timeout);
  } else {
    timer.expires_at(kNever);
  }
  std::error_code ec;
  co_await timer.async_wait(net::use_ec(ec));
  co_return ec == asio::error::operation_aborted;
}

bool response_header_allowed(std::string_view name) {
  return !(iequals(name, "connection") || iequals(name, "keep-alive") ||
           iequals(name, "proxy-connection") || iequals(name, "transfer-encoding") ||
           iequals(name, "upgrade") || iequals(name, "content-length"));
}

// A response's fields for nghttp2: names lower-cased into one buffer reserved up front, so
// the nv entries' pointers into it stay valid; values point at the caller's bytes.
class HeaderBlock {
 public:
  HeaderBlock(size_t name_bytes, size_t fields) {
    names_.reserve(name_bytes);
    nva_.reserve(fields);
  }
  // A field as HTTP/1.1 or the cache keeps it; left out when HTTP/2 forbids it.
  void add_field(std::string_view name, std::string_view value) {
    if (!response_header_allowed(name)) return;
    const size_t at = names_.size();
    for (char c : name) names_.push_back(ascii_lower(c));
    nva_.push_back(nv(std::string_view(names_).substr(at), value));
  }
  const std::vector<nghttp2_nv>& nva() const { return nva_; }
  // An entry whose name is already lower case (pseudo-headers, the sink's own fields).
  static nghttp2_nv nv(std::string_view name, std::string_view value) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                      value.size(), NGHTTP2_NV_FLAG_NONE};
  }

 private:
  std::string names_;
  std::vector<nghttp2_nv> nva_;
};

// Calls `field(name, value)` for each "Name: value\r\n" line of `lines`.
template <class Fn>
void for_each_header_line(std::string_view lines, Fn&& field) {
  while (!lines.empty()) {
    size_t end = lines.find("\r\n");
    std::string_view line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    field(line.substr(0, colon), trim(line.substr(colon + 1)));
  }
}

}  // namespace

// One request stream: the head being built, request body bytes not yet read by the handler,
// response body bytes not yet taken by nghttp2.
struct H2ServerConnection::StreamState {
  StreamState(int32_t stream_id, const net::Executor& ex, const config::Limits& l)
      : id(stream_id),
        builder(l.max_header_bytes, l.max_header_count),
        in_signal(ex),
        out_signal(ex) {}
  int32_t id;
  H2RequestBuilder builder;
  std::string in;         // received, not yet read by the handler
  size_t unconsumed = 0;  // received bytes not yet returned to the flow-control window
  uint64_t body_bytes = 0;
  bool in_eof = false;
  asio::steady_timer in_signal;
  std::string out;  // response body waiting for nghttp2
  size_t out_offset = 0;
  bool out_eof = false;
  bool out_deferred = false;
  asio::steady_timer out_signal;
  // A response head produced before the request had fully arrived waits here (name, value
  // pairs) until it has: a request that turns out malformed is reset with no response.
  std::vector<std::string> held_head;
  bool head_held = false;
  bool held_head_has_body = false;
  bool discarding = false;  // answered: request body bytes still arriving are dropped
  bool closed = false;      // stream closed (finished or reset)
  bool reset_by_peer = false;
  bool started = false;  // handler spawned
};

// ---------------------------------------------------------------------------------------------
class H2ServerConnection::Body final : public RequestBody {
 public:
  Body(H2ServerConnection& c, StreamState& s) : c_(c), s_(s) {}

  awaitable<Result<std::span<const char>>> read() override {
    while (true) {
      if (!s_.in.empty()) {
        current_.swap(s_.in);
        s_.in.clear();
        if (!c_.closed_ && !s_.closed) {
          nghttp2_session_consume(c_.session_, s_.id, s_.unconsumed);
          c_.wake_writer();  // WINDOW_UPDATE
        }
        s_.unconsumed = 0;
        read_ += current_.size();
        co_return std::span<const char>(current_.data(), current_.size());
      }
      if (s_.in_eof) co_return std::span<const char>();
      if (s_.discarding) {
        co_return make_error(ErrorKind::kViewerClosed, Fault::kViewer,
                             "request body dropped after the response");
      }
      if (s_.closed || c_.closed_) {
        co_return make_error(ErrorKind::kViewerClosed, Fault::kViewer, "stream reset by viewer");
      }
      bool signalled = co_await wait_signal(s_.in_signal, c_.limits_.body_timeout);
      if (!signalled) {
        co_return make_error(ErrorKind::kViewerTimeout, Fault::kViewer,
                             "viewer stopped sending the request body");
      }
    }
  }

  bool complete() const override { return s_.in_eof && s_.in.empty(); }
  uint64_t bytes_read() const override { return read_; }

 private:
  H2ServerConnection& c_;
  StreamState& s_;
  std::string current_;
  uint64_t read_ = 0;
};

// ---------------------------------------------------------------------------------------------
class H2ServerConnection::Sink final : public ResponseSink {
 public:
  Sink(H2ServerConnection& c, StreamState& s, const RequestHead& request)
      : c_(c), s_(s), request_(request) {}

  awaitable<Status> send_head(ResponseHead head, BodyLength length) override {
    size_t name_bytes = 0;
    for (const auto& [name, value] : head.headers.fields()) name_bytes += name.size();
    HeaderBlock block(name_bytes, head.headers.size());
    for (const auto& [name, value] : head.headers.fields()) block.add_field(name, value);
    co_return submit(head.status, head.headers.contains("Date"), length, block);
  }

  bool answers_at_once() const override { return true; }

  // The serialized HTTP/1.1 head of a cached object, as fields again: HTTP/2 hits skip the
  // coroutine pipeline too.
  Status queue_wire_head(const WireHead& base, std::string_view own_lines,
                         BodyLength length) override {
    std::string_view lines = base.lines;
    size_t status_line_end = lines.find("\r\n");
    lines = status_line_end == std::string_view::npos ? std::string_view()
                                                      : lines.substr(status_line_end + 2);
    HeaderBlock block(lines.size() + own_lines.size(), 16);
    auto add = [&block](std::string_view name, std::string_view value) {
      block.add_field(name, value);
    };
    for_each_header_line(lines, add);
    for_each_header_line(own_lines, add);
    return submit(base.status, base.has_date, length, block);
  }

  // Body bytes handed to nghttp2 without waiting for it to take them: they stay in the
  // stream's buffer (at most the at-once limit) until the viewer's window lets them out.
  Status send_body_at_once(std::span<const char> data) override {
    if (!head_sent_) return make_error(ErrorKind::kInternal, Fault::kInternal, "body before head");
    if (body_.no_body() || data.empty()) return ok_status();
    Status allowed = body_.take(data.size());
    if (!allowed.ok()) return allowed;
    if (s_.closed || c_.closed_) {
      return make_error(ErrorKind::kViewerClosed, Fault::kViewer, "stream closed");
    }
    s_.out.append(data.data(), data.size());
    tally_.body_bytes += data.size();
    kick();
    return ok_status();
  }

  Status finish_at_once() override { return end_body(); }

  // Queues the piece as send_body_at_once does, then waits until nghttp2 has taken it all.
  awaitable<Status> send_body(std::span<const char> data) override {
    Status queued = send_body_at_once(data);
    if (!queued.ok()) co_return queued;
    if (s_.head_held && s_.out.size() - s_.out_offset <= kMaxHeldBody) co_return ok_status();
    while (s_.out_offset < s_.out.size()) {
      if (s_.closed || c_.closed_) {
        co_return make_error(ErrorKind::kViewerClosed, Fault::kViewer, "stream closed");
      }
      bool signalled = co_await wait_signal(s_.out_signal, c_.limits_.send_timeout);
      if (!signalled) {
        abort();
        co_return make_error(ErrorKind::kViewerTimeout, Fault::kViewer,
                             "viewer stopped reading the response");
      }
    }
    co_return ok_status();
  }

  awaitable<Status> finish() override { co_return end_body(); }

  void abort() override {
    aborted_ = true;
    tally_.aborted = true;
    s_.head_held = false;
    s_.held_head.clear();
    if (!s_.closed && !c_.closed_) {
      nghttp2_submit_rst_stream(c_.session_, NGHTTP2_FLAG_NONE, s_.id, NGHTTP2_INTERNAL_ERROR);
      c_.wake_writer();
    }
  }

  bool committed() const override { return head_sent_; }
  uint64_t body_bytes_sent() const override { return body_.taken(); }
  bool finished() const { return body_.ended(); }
  bool aborted() const { return aborted_; }

 private:
  // Submits the head: `block` holds the fields; :status, date and content-length are added.
  Status submit(int status, bool has_date, BodyLength length, HeaderBlock& block) {
    if (head_sent_) return make_error(ErrorKind::kInternal, Fault::kInternal, "head sent twice");
    if (s_.closed || c_.closed_) {
      return make_error(ErrorKind::kViewerClosed, Fault::kViewer, "stream closed");
    }
    head_sent_ = true;
    bool bodiless_status = status < 200 || status == 204 || status == 304;
    body_.start(bodiless_status || request_.method == Method::kHead ||
                    length.kind == BodyLength::Kind::kNone ||
                    (length.kind == BodyLength::Kind::kKnown && length.length == 0),
                length);
    std::string status_text = std::to_string(status);
    std::string content_length;
    std::string date;
    // :status first (RFC 9113 8.3), then the fields, then the sink's own.
    std::vector<nghttp2_nv> nva;
    nva.reserve(block.nva().size() + 3);
    nva.push_back(HeaderBlock::nv(":status", status_text));
    nva.insert(nva.end(), block.nva().begin(), block.nva().end());
    if (!has_date) {
      date = std::string(thread_date_cache().now(coarse_system_now()));
      nva.push_back(HeaderBlock::nv("date", date));
    }
    if (length.kind == BodyLength::Kind::kKnown && !bodiless_status) {
      content_length = std::to_string(length.length);
      nva.push_back(HeaderBlock::nv("content-length", content_length));
    } else if (length.kind == BodyLength::Kind::kNone && !bodiless_status) {
      nva.push_back(HeaderBlock::nv("content-length", "0"));
    }
    tally_.status = status;
    for (const nghttp2_nv& nv : nva) tally_.head_bytes += nv.namelen + nv.valuelen + 4;
    tally_.head_queued = std::chrono::steady_clock::now();
    if (body_.no_body()) s_.out_eof = true;
    if (!s_.in_eof) {
      hold(nva);
      return ok_status();
    }
    int rv = c_.submit_response(s_, nva.data(), nva.size(), !body_.no_body());
    if (rv != 0) return make_error(ErrorKind::kViewerClosed, Fault::kViewer, nghttp2_strerror(rv));
    return ok_status();
  }

  // The request is still arriving: whether it is well-formed is not known yet (a trailer or
  // the DATA's total against content-length can still make it malformed, RFC 9113 8.1.1), so
  // the head waits for its end; the rest of the body is dropped, the handler being done
  // with it.
  void hold(const std::vector<nghttp2_nv>& nva) {
    s_.held_head.clear();
    s_.held_head.reserve(nva.size() * 2);
    for (const nghttp2_nv& nv : nva) {
      s_.held_head.emplace_back(reinterpret_cast<const char*>(nv.name), nv.namelen);
      s_.held_head.emplace_back(reinterpret_cast<const char*>(nv.value), nv.valuelen);
    }
    s_.head_held = true;
    s_.held_head_has_body = !body_.no_body();
    c_.discard_request_body(s_);
  }

  Status end_body() {
    if (!head_sent_) {
      return make_error(ErrorKind::kInternal, Fault::kInternal, "finish before head");
    }
    Result<bool> ended = body_.end();
    if (!ended.ok()) {
      abort();
      return ended.error();
    }
    if (ended.value() && !body_.no_body()) {
      s_.out_eof = true;
      kick();
    }
    return ok_status();
  }

  // Hands the pending bytes (or the end) to nghttp2; the caller then waits until it has
  // taken them, so the viewer's flow-control window is the handler's backpressure.
  void kick() {
    if (s_.out_deferred) {
      s_.out_deferred = false;
      nghttp2_session_resume_data(c_.session_, s_.id);
    }
    c_.wake_writer();
  }

  H2ServerConnection& c_;
  StreamState& s_;
  const RequestHead& request_;
  BodyAllowance body_;
  bool head_sent_ = false;
  bool aborted_ = false;
};

// ---------------------------------------------------------------------------------------------
H2ServerConnection::H2ServerConnection(net::Stream stream, Handler& handler,
                                       const config::Limits& limits, ConnectionTracker& tracker,
                                       ViewerConnection viewer, H2Limits h2_limits)
    : stream_(std::move(stream)),
      handler_(handler),
      limits_(limits),
      h2_(h2_limits),
      tracker_(tracker),
      viewer_(std::move(viewer)),
      writer_wake_(stream_.socket().get_executor()),
      idle_deadline_(stream_.socket().get_executor(), [this] { close_now(); }),
      write_deadline_(stream_.socket().get_executor(), [this] { close_now(); }),
      resets_(h2_limits.max_resets_per_window, h2_limits.reset_window),
      empty_frames_(h2_limits.max_empty_frames_per_window, h2_limits.reset_window) {
  tracker_.add(this);
}

H2ServerConnection::~H2ServerConnection() {
  tracker_.remove(this);
  if (session_ != nullptr) nghttp2_session_del(session_);
}

void H2ServerConnection::close_if_idle() {
  if (closed_ || session_ == nullptr) return;
  // Graceful: streams up to the last one processed finish; want_read/want_write then turn
  // false and the writer closes the connection.
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  wake_writer();
}

void H2ServerConnection::close_now() {
  if (closed_) return;
  closed_ = true;
  stream_.close();
  signal(writer_wake_);
  for (auto& [id, s] : streams_) {
    s->closed = true;
    signal(s->in_signal);
    signal(s->out_signal);
  }
}

void H2ServerConnection::wake_writer() { signal(writer_wake_); }

H2ServerConnection::StreamState* H2ServerConnection::find(int32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

bool H2ServerConnection::setup_session() {
  nghttp2_session_callbacks* cb = nullptr;
  if (nghttp2_session_callbacks_new(&cb) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_frame_callback(cb, on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  // Request body windows reopen only as handlers read (bounded memory per stream).
  nghttp2_option_set_no_auto_window_update(opt, 1);
  // nghttp2's own reset limiter (token bucket) as a second line behind count_reset().
  nghttp2_option_set_stream_reset_rate_limit(opt, h2_.max_resets_per_window,
                                             std::max<uint64_t>(1, h2_.max_resets_per_window / 10));
  nghttp2_option_set_max_continuations(opt, 8);
  int rv = nghttp2_session_server_new2(&session_, cb, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cb);
  if (rv != 0) return false;
  std::array<nghttp2_settings_entry, 4> settings{{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, h2_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, h2_.initial_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(limits_.max_header_bytes)},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
  }};
  return nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size()) ==
         0;
}

awaitable<void> H2ServerConnection::run(std::shared_ptr<H2ServerConnection> self) {
  std::error_code ignored;
  self->stream_.socket().set_option(net::tcp::no_delay(true), ignored);
  if (!self->setup_session()) {
    self->close_now();
    co_return;
  }
  asio::co_spawn(self->stream_.socket().get_executor(), writer(self), asio::detached);
  // Taken from the worker's pool only while bytes are being fed to nghttp2 (input_buffer.h).
  net::InputBuffer input;
  while (!self->closed_) {
    if (self->streams_.empty()) {
      self->idle_deadline_.expires_after(self->limits_.idle_timeout);
    } else {
      self->idle_deadline_.disarm();
    }
    std::error_code ec;
    size_t n = co_await self->stream_.read_into(input, ec);
    if (ec || n == 0 || self->closed_) break;
    std::span<const char> got = input.pending();
    ssize_t rv = nghttp2_session_mem_recv(self->session_,
                                          reinterpret_cast<const uint8_t*>(got.data()), got.size());
    input.consume(got.size());  // nghttp2 takes all it is given (or fails)
    input.release_if_empty();
    if (rv == NGHTTP2_ERR_CALLBACK_FAILURE) {  // our own verdict: a flood or a bad stream id
      nghttp2_session_terminate_session(self->session_, self->terminate_code_);
    }
    self->wake_writer();
    if (rv < 0) break;  // fatal (bad preface, flood): flush any GOAWAY, then close
    if (!nghttp2_session_want_read(self->session_)) break;
  }
  self->idle_deadline_.disarm();
  // The viewer is gone or the session is over: the writer flushes what nghttp2 still has
  // (a GOAWAY) and closes.
  self->reader_done_ = true;
  self->wake_writer();
}

awaitable<void> H2ServerConnection::writer(std::shared_ptr<H2ServerConnection> self) {
  std::string out;
  while (!self->closed_) {
    out.clear();
    while (out.size() < kWriteBatch) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(self->session_, &data);
      if (n < 0) {
        self->close_now();
        break;
      }
      if (n == 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (self->closed_) break;
    if (out.empty()) {
      if (self->reader_done_ || (!nghttp2_session_want_read(self->session_) &&
                                 !nghttp2_session_want_write(self->session_))) {
        break;  // reader gone, or GOAWAY exchanged and every stream done
      }
      // No stream open: the connection may idle for long; keep no large batch meanwhile.
      if (self->streams_.empty() && out.capacity() > kIdleWriteBuffer) std::string().swap(out);
      co_await wait_signal(self->writer_wake_, std::chrono::milliseconds(0));
      continue;
    }
    std::error_code ec;
    self->write_deadline_.expires_after(self->limits_.send_timeout);
    co_await self->stream_.write(asio::buffer(out), ec);
    self->write_deadline_.disarm();
    if (ec) break;
  }
  self->writer_done_ = true;
  self->close_now();
}

int H2ServerConnection::submit_response(StreamState& s, const nghttp2_nv* nva, size_t count,
                                        bool has_body) {
  nghttp2_data_provider provider{};
  provider.source.ptr = &s;
  provider.read_callback = &H2ServerConnection::read_body;
  int rv = nghttp2_submit_response(session_, s.id, nva, count, has_body ? &provider : nullptr);
  wake_writer();
  return rv;
}

void H2ServerConnection::release_held_head(StreamState& s) {
  if (!s.head_held) return;
  s.head_held = false;
  std::vector<nghttp2_nv> nva;
  nva.reserve(s.held_head.size() / 2);
  for (size_t i = 0; i + 1 < s.held_head.size(); i += 2) {
    nva.push_back(nghttp2_nv{reinterpret_cast<uint8_t*>(s.held_head[i].data()),
                             reinterpret_cast<uint8_t*>(s.held_head[i + 1].data()),
                             s.held_head[i].size(), s.held_head[i + 1].size(),
                             NGHTTP2_NV_FLAG_NONE});
  }
  submit_response(s, nva.data(), nva.size(), s.held_head_has_body);
  s.held_head.clear();
}

void H2ServerConnection::discard_request_body(StreamState& s) {
  s.discarding = true;
  s.in.clear();
  if (s.unconsumed > 0 && !closed_ && !s.closed) {
    nghttp2_session_consume(session_, s.id, s.unconsumed);
    wake_writer();  // WINDOW_UPDATE
  }
  s.unconsumed = 0;
}

void H2ServerConnection::respond_error(int32_t stream_id, int status) {
  std::string code = std::to_string(status);
  nghttp2_nv nva[] = {
      {reinterpret_cast<uint8_t*>(const_cast<char*>(":status")),
       reinterpret_cast<uint8_t*>(code.data()), 7, code.size(), NGHTTP2_NV_FLAG_NONE},
      {reinterpret_cast<uint8_t*>(const_cast<char*>("content-length")),
       reinterpret_cast<uint8_t*>(const_cast<char*>("0")), 14, 1, NGHTTP2_NV_FLAG_NONE},
  };
  nghttp2_submit_response(session_, stream_id, nva, 2, nullptr);
}

void H2ServerConnection::count_reset() {
  if (!resets_.add(std::chrono::steady_clock::now())) {
    nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
  }
}

// From inside an nghttp2 callback: 0, or the failure that ends the session (as a flood).
int H2ServerConnection::count_empty_frame() {
  if (empty_frames_.add(std::chrono::steady_clock::now())) return 0;
  terminate_code_ = NGHTTP2_ENHANCE_YOUR_CALM;
  return NGHTTP2_ERR_CALLBACK_FAILURE;
}

void H2ServerConnection::headers_complete(StreamState& s, bool end_stream) {
  if (!s.builder.finish(!end_stream)) {
    respond_error(s.id, s.builder.status());
    return;
  }
  if (tracker_.draining()) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_REFUSED_STREAM);
    return;
  }
  // Handlers of reset streams may still be running: they count against the concurrency, so
  // resetting streams cannot pile up work beyond max_concurrent_streams.
  if (handlers_running_ >= h2_.max_concurrent_streams) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_REFUSED_STREAM);
    count_reset();
    return;
  }
  s.in_eof = end_stream;
  s.started = true;
  ++handlers_running_;
  // Posted, not spawned here: co_spawn would start the handler inline, inside nghttp2's
  // callback, and the handler calls back into the session.
  asio::post(stream_.socket().get_executor(),
             [self = shared_from_this(), state = streams_[s.id]]() mutable {
               if (self->answer_at_once(*state)) return;
               net::Executor ex = self->stream_.socket().get_executor();
               asio::co_spawn(ex, serve_stream(std::move(self), std::move(state)), asio::detached);
             });
}

// A fresh hit kept in memory, answered without spawning the stream's coroutine (the same
// saving as on HTTP/1.1: see the proxy's "Hits at once"). False: nothing was sent.
bool H2ServerConnection::answer_at_once(StreamState& s) {
  if (s.closed || closed_) {
    end_stream(s, nullptr);  // reset before its turn came (a rapid-reset flood): no work
    return true;
  }
  // A request still arriving may be answered only once it has (Sink::hold), which takes
  // the awaitable path.
  if (!s.in_eof) return false;
  // Bodies answered at once wait for the viewer's credit with no send timeout: a viewer that
  // withholds it may hold this much per connection; beyond it, streams take the awaitable
  // path, which resets a stream the viewer does not read for send_timeout.
  if (queued_response_bytes() >= kMaxQueuedAtOnce) return false;
  RequestHead& request = s.builder.head();
  Body body(*this, s);
  Sink sink(*this, s, request);
  Exchange exchange{
      request, body, sink, viewer_, std::chrono::steady_clock::now(), plain_head_bytes(request)};
  if (!handler_.answer_at_once(exchange)) return false;
  end_stream(s, &sink);
  return true;
}

awaitable<void> H2ServerConnection::serve_stream(std::shared_ptr<H2ServerConnection> self,
                                                 std::shared_ptr<StreamState> s) {
  if (s->closed || self->closed_) {
    // Reset before its turn came (a rapid-reset flood): do no work for it.
    self->end_stream(*s, nullptr);
    co_return;
  }
  RequestHead& request = s->builder.head();
  Body body(*self, *s);
  Sink sink(*self, *s, request);
  Exchange exchange{request,
                    body,
                    sink,
                    self->viewer_,
                    std::chrono::steady_clock::now(),
                    plain_head_bytes(request)};
  co_await self->handler_.handle(exchange);
  // An answer held for the end of the request: wait for it while the viewer keeps sending.
  while (s->head_held && !s->in_eof && !s->closed && !self->closed_) {
    bool signalled = co_await wait_signal(s->in_signal, self->limits_.body_timeout);
    if (!signalled) break;
  }
  self->end_stream(*s, &sink);
}

size_t H2ServerConnection::queued_response_bytes() const {
  size_t queued = 0;
  for (const auto& [id, stream] : streams_) queued += stream->out.size() - stream->out_offset;
  return queued;
}

// After the handler: a response it did not finish fails the stream; one finished before the
// request body ended tells the viewer to stop sending. `sink` null: the handler never ran.
void H2ServerConnection::end_stream(StreamState& s, Sink* sink) {
  if (sink && !sink->aborted() && !sink->finished() && !s.closed && !closed_) {
    // A handler that returns without finishing has failed.
    if (!sink->committed()) {
      respond_error(s.id, 500);
    } else {
      sink->abort();
    }
  } else if (sink && sink->finished() && !s.in_eof && !s.closed && !closed_) {
    // The answer was held for a body the viewer stopped sending (body_timeout): the request
    // never became whole, so it gets no answer.
    s.head_held = false;
    s.held_head.clear();
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_CANCEL);
  }
  --handlers_running_;
  wake_writer();
}

// ---------------------------------------------------------------------------------------------
// nghttp2 callbacks

int H2ServerConnection::on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd,
                                       void* user_data) {
  auto* c = static_cast<H2ServerConnection*>(user_data);
  if (hd->type == NGHTTP2_HEADERS && !c->stream_ids_.headers_began(hd->stream_id)) {
    c->terminate_code_ = NGHTTP2_PROTOCOL_ERROR;  // RFC 9113 5.1.1
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  if (carries_nothing(hd->type, hd->flags, hd->length)) return c->count_empty_frame();
  return 0;
}

int H2ServerConnection::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame,
                                         void* user_data) {
  auto* c = static_cast<H2ServerConnection*>(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto state = std::make_shared<StreamState>(frame->hd.stream_id,
                                             c->stream_.socket().get_executor(), c->limits_);
  c->streams_[frame->hd.stream_id] = std::move(state);
  return 0;
}

int H2ServerConnection::on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                                  size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                                  void* user_data) {
  auto* c = static_cast<H2ServerConnection*>(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;  // trailers are not passed on
  }
  StreamState* s = c->find(frame->hd.stream_id);
  if (s == nullptr) return 0;
  s->builder.add({reinterpret_cast<const char*>(name), namelen},
                 {reinterpret_cast<const char*>(value), valuelen});
  // A header block far beyond the limit is an attack, not a mistake: drop the connection.
  if (s->builder.header_bytes() > 4 * c->limits_.max_header_bytes) {
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int H2ServerConnection::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame,
                                      void* user_data) {
  auto* c = static_cast<H2ServerConnection*>(user_data);
  if (frame->hd.type == NGHTTP2_RST_STREAM) {
    c->count_reset();
    return 0;
  }
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  // A DATA frame of padding only carries nothing either (an empty one is counted earlier).
  if (frame->hd.type == NGHTTP2_DATA && !end_stream && frame->hd.length > 0 &&
      frame->hd.length == frame->data.padlen) {
    int rv = c->count_empty_frame();
    if (rv != 0) return rv;
  }
  StreamState* s = c->find(frame->hd.stream_id);
  if (s == nullptr) return 0;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    c->headers_complete(*s, end_stream);
    return 0;
  }
  if (end_stream) {
    s->in_eof = true;
    c->release_held_head(*s);  // the request is whole: its answer may go
    signal(s->in_signal);
  }
  return 0;
}

int H2ServerConnection::on_data_chunk(nghttp2_session* session, uint8_t, int32_t stream_id,
                                      const uint8_t* data, size_t len, void* user_data) {
  auto* c = static_cast<H2ServerConnection*>(user_data);
  StreamState* s = c->find(stream_id);
  if (s == nullptr || !s->started) {
    nghttp2_session_consume(session, stream_id, len);  // nobody reads it: reopen the window
    return 0;
  }
  s->body_bytes += len;
  if (s->discarding || s->body_bytes > c->limits_.max_body_bytes) {
    nghttp2_session_consume(session, stream_id, len);  // nobody reads it
    signal(s->in_signal);  // still sending: serve_stream's wait for the end goes on
    if (s->body_bytes > c->limits_.max_body_bytes) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
    }
    return 0;
  }
  s->in.append(reinterpret_cast<const char*>(data), len);
  s->unconsumed += len;
  signal(s->in_signal);
  return 0;
}

int H2ServerConnection::on_stream_close(nghttp2_session* session, int32_t stream_id,
                                        uint32_t error_code, void* user_data) {
  auto* c = static_cast<H2ServerConnection*>(user_data);
  auto it = c->streams_.find(stream_id);
  if (it == c->streams_.end()) return 0;
  StreamState& s = *it->second;
  s.closed = true;
  s.reset_by_peer = error_code != NGHTTP2_NO_ERROR;
  if (s.unconsumed > 0) {
    nghttp2_session_consume_connection(session, s.unconsumed);
    s.unconsumed = 0;
  }
  signal(s.in_signal);
  signal(s.out_signal);
  c->streams_.erase(it);  // the handler, if any, keeps its own reference
  return 0;
}

ssize_t H2ServerConnection::read_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length,
                                      uint32_t* data_flags, nghttp2_data_source* source, void*) {
  auto* s = static_cast<StreamState*>(source->ptr);
  size_t pending = s->out.size() - s->out_offset;
  if (pending == 0) {
    if (s->out_eof) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    s->out_deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  size_t n = std::min(pending, length);
  std::memcpy(buf, s->out.data() + s->out_offset, n);
  s->out_offset += n;
  if (s->out_offset == s->out.size()) {
    s->out.clear();
    s->out_offset = 0;
    signal(s->out_signal);
    if (s->out_eof) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  return static_cast<ssize_t>(n);
}

}  // namespace edgefront::http
