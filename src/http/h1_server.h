// The viewer side of HTTP/1.1: one coroutine per connection reads requests (keep-alive,
// pipelining), enforces limits and timeouts, and hands each exchange to a Handler.
#pragma once

#include <list>
#include <memory>

#include "config/config.h"
#include "http/connection_tracker.h"
#include "http/exchange.h"
#include "http/h1_parser.h"
#include "net/deadline.h"
#include "net/input_buffer.h"
#include "net/stream.h"

namespace edgefront::http {

class H1ServerConnection : public TrackedConnection,
                           public std::enable_shared_from_this<H1ServerConnection> {
 public:
  H1ServerConnection(net::Stream stream, Handler& handler, const config::Limits& limits,
                     ConnectionTracker& tracker, ViewerConnection viewer);
  ~H1ServerConnection() override;

  static awaitable<void> run(std::shared_ptr<H1ServerConnection> self);

  // Called by the tracker during shutdown.
  void close_if_idle() override;
  void close_now() override;

 private:
  class Body;
  class Sink;
  friend class Body;
  friend class Sink;

  awaitable<bool> read_head();
  awaitable<bool> read_more(std::chrono::milliseconds timeout);
  awaitable<void> serve_one();
  awaitable<void> send_error_and_close(int status, std::string_view reason);
  awaitable<bool> drain_request_body();
  bool validate_head(int& status, std::string& reason);

  net::Stream stream_;
  Handler& handler_;
  config::Limits limits_;
  ConnectionTracker& tracker_;
  ViewerConnection viewer_;
  net::Deadline deadline_;
  H1Parser parser_;
  net::InputBuffer in_;  // holds a block only while it holds bytes
  bool idle_ = true;     // waiting for the first byte of a request
  bool closed_ = false;
  bool keep_alive_ = true;
  bool ended_cleanly_ = false;  // the last response was sent whole (TLS: close with close_notify)
};

}  // namespace edgefront::http
