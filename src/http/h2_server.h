// The viewer side of HTTP/2 (nghttp2 in memory mode over a net::Stream): each request stream
// becomes an Exchange handed to the same Handler as HTTP/1.1. Flow control is end to end: a
// response body is passed to nghttp2 only as the viewer's window allows, and the handler waits
// (so the origin read waits) until its chunk is taken; request body windows are reopened only
// as the handler reads. Limits: concurrent streams, header list size and count, a stream
// reset rate (CVE-2023-44487 "rapid reset") answered with GOAWAY ENHANCE_YOUR_CALM.
#pragma once

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "http/connection_tracker.h"
#include "http/exchange.h"
#include "http/h2_frame_guard.h"
#include "net/deadline.h"
#include "net/stream.h"

namespace edgefront::http {

struct H2Limits {
  uint32_t max_concurrent_streams = 100;
  uint32_t initial_window = 256 * 1024;  // per request stream (uploads)
  // Streams the viewer may reset (RST_STREAM, or refused for exceeding the concurrency) per
  // window before the connection is closed with ENHANCE_YOUR_CALM.
  uint32_t max_resets_per_window = 200;
  // Frames that carry nothing (empty DATA, empty CONTINUATION, ...) per window: beyond it the
  // connection is a flood and gets GOAWAY ENHANCE_YOUR_CALM.
  uint32_t max_empty_frames_per_window = 100;
  std::chrono::milliseconds reset_window{10'000};
};

class H2ServerConnection : public TrackedConnection,
                           public std::enable_shared_from_this<H2ServerConnection> {
 public:
  H2ServerConnection(net::Stream stream, Handler& handler, const config::Limits& limits,
                     ConnectionTracker& tracker, ViewerConnection viewer,
                     H2Limits h2_limits = H2Limits{});
  ~H2ServerConnection() override;

  static awaitable<void> run(std::shared_ptr<H2ServerConnection> self);

  // Drain: GOAWAY now; in-flight streams finish, then the connection closes.
  void close_if_idle() override;
  void close_now() override;

  struct StreamState;

 private:
  class Body;
  class Sink;
  friend class Body;
  friend class Sink;

  static awaitable<void> writer(std::shared_ptr<H2ServerConnection> self);
  static awaitable<void> serve_stream(std::shared_ptr<H2ServerConnection> self,
                                      std::shared_ptr<StreamState> stream);
  bool answer_at_once(StreamState& s);
  size_t queued_response_bytes() const;
  void end_stream(StreamState& s, Sink* sink);

  // nghttp2 callbacks (user_data is the connection).
  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data);
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t flags,
                       void* user_data);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
  static int on_data_chunk(nghttp2_session*, uint8_t flags, int32_t stream_id, const uint8_t* data,
                           size_t len, void* user_data);
  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code,
                             void* user_data);
  static ssize_t read_body(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                           uint32_t* data_flags, nghttp2_data_source* source, void* user_data);

  bool setup_session();
  void headers_complete(StreamState& s, bool end_stream);
  void respond_error(int32_t stream_id, int status);
  void count_reset();
  int count_empty_frame();
  int submit_response(StreamState& s, const nghttp2_nv* nva, size_t count, bool has_body);
  void release_held_head(StreamState& s);
  void discard_request_body(StreamState& s);
  void wake_writer();
  StreamState* find(int32_t stream_id);

  net::Stream stream_;
  Handler& handler_;
  config::Limits limits_;
  H2Limits h2_;
  ConnectionTracker& tracker_;
  ViewerConnection viewer_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::shared_ptr<StreamState>> streams_;
  size_t handlers_running_ = 0;
  asio::steady_timer writer_wake_;
  net::Deadline idle_deadline_;
  net::Deadline write_deadline_;
  FloodWindow resets_;
  FloodWindow empty_frames_;
  StreamIdLedger stream_ids_;
  // The GOAWAY code when a callback ends the session (NGHTTP2_ERR_CALLBACK_FAILURE).
  uint32_t terminate_code_ = NGHTTP2_ENHANCE_YOUR_CALM;
  bool closed_ = false;
  bool writer_done_ = false;
  bool reader_done_ = false;
};

}  // namespace edgefront::http
