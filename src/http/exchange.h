// What a request handler sees of one viewer exchange, independent of the codec (HTTP/1.1
// now, HTTP/2 later): the request head, a pull-style request body, and a response sink.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "http/message.h"
#include "net/asio.h"

namespace edgefront::http {

using net::awaitable;

struct WireHead;

// How the response body will be framed.
struct BodyLength {
  enum class Kind { kNone, kKnown, kUnknown };
  Kind kind = Kind::kNone;
  uint64_t length = 0;
  static BodyLength none() { return {Kind::kNone, 0}; }
  static BodyLength known(uint64_t n) { return {Kind::kKnown, n}; }
  static BodyLength unknown() { return {Kind::kUnknown, 0}; }
};

class RequestBody {
 public:
  virtual ~RequestBody() = default;
  // Next chunk of the body; an empty span means the body is complete. The span is valid
  // until the next call.
  virtual awaitable<Result<std::span<const char>>> read() = 0;
  // True once the whole body has been read (or there was none).
  virtual bool complete() const = 0;
};

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Queues the head; it goes out with the first body bytes or at finish(). The sink adds
  // framing (Content-Length / Transfer-Encoding), Date, and Connection.
  virtual awaitable<Status> send_head(ResponseHead head, BodyLength length) = 0;
  virtual awaitable<Status> send_body(std::span<const char> data) = 0;
  // Ends the response properly.
  virtual awaitable<Status> finish() = 0;
  // The response cannot be completed (origin failed mid-body): close the connection without
  // a proper end, so the viewer can tell the response is truncated.
  virtual void abort() = 0;
  // True once any byte of the response may have reached the viewer.
  virtual bool committed() const = 0;

  // HTTP/1.1 sinks can take a head serialized once (a cached object's) plus this answer's own
  // fields as "Name: value\r\n" lines, in place of send_head: no per-answer header copy.
  // Only call send_wire_head when takes_wire_head() is true.
  virtual bool takes_wire_head() const { return false; }
  virtual awaitable<Status> send_wire_head(const WireHead& base, std::string_view own_lines,
                                           BodyLength length);
};

struct ViewerConnection {
  std::string peer_ip;
  uint16_t peer_port = 0;
  bool tls = false;
  unsigned worker_index = 0;
};

struct Exchange {
  RequestHead& request;
  RequestBody& body;
  ResponseSink& response;
  const ViewerConnection& viewer;
};

// Anything that answers requests: the proxy pipeline, the admin API.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual awaitable<void> handle(Exchange& exchange) = 0;
};

}  // namespace edgefront::http
