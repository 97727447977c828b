// What a request handler sees of one viewer exchange, independent of the codec (HTTP/1.1
// now, HTTP/2 later): the request head, a pull-style request body, and a response sink.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "base/clock.h"
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
  // Body bytes handed to the handler so far (CloudWatch's BytesUploaded).
  virtual uint64_t bytes_read() const { return 0; }
};

// What a sink has sent of one response, for the request's record (access log, metrics). The
// codec's sinks keep it; wrappers (a headers policy, a recorder) leave it to the sink they wrap.
struct ResponseTally {
  int status = 0;            // 0: no head was queued
  uint64_t head_bytes = 0;   // the head as framed for the wire (HTTP/2: fields' plain size)
  uint64_t body_bytes = 0;   // body bytes handed to the transport, framing included
  SteadyTime head_queued{};  // time to first byte: the head goes out with the first bytes
  bool aborted = false;      // cut off: the viewer can tell the response is not complete
};

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  const ResponseTally& tally() const { return tally_; }
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
  // Body bytes accepted for the viewer so far, framing excluded (CloudWatch's
  // BytesDownloaded).
  virtual uint64_t body_bytes_sent() const { return 0; }

  // The HTTP/1.1 and HTTP/2 sinks can answer without suspending: a head serialized once (a
  // cached object's) plus this answer's own fields as "Name: value\r\n" lines, in place of
  // send_head, and body bytes handed over at once. What the socket (or the viewer's HTTP/2
  // window) does not take at once is kept: for flush() on HTTP/1.1. Call these only when
  // answers_at_once() is true; queue_wire_head may be followed by the awaitable body calls,
  // but a response does not mix send_body_at_once/finish_at_once with send_body/finish.
  virtual bool answers_at_once() const { return false; }
  virtual Status queue_wire_head(const WireHead& base, std::string_view own_lines,
                                 BodyLength length);
  virtual Status send_body_at_once(std::span<const char> data);
  virtual Status finish_at_once();
  // Writes what the at-once calls left over (nothing to do when they wrote everything).
  virtual awaitable<Status> flush();

 protected:
  ResponseTally tally_;
};

struct ViewerConnection {
  std::string peer_ip;
  uint16_t peer_port = 0;
  bool tls = false;
  std::string server_name;  // TLS SNI (empty: plain HTTP or none sent)
  unsigned worker_index = 0;
  const char* tls_protocol = "";  // OpenSSL's static names, "TLSv1.3"
  const char* tls_cipher = "";    // "TLS_AES_128_GCM_SHA256"
  bool http2 = false;
};

struct Exchange {
  RequestHead& request;
  RequestBody& body;
  ResponseSink& response;
  const ViewerConnection& viewer;
  SteadyTime received{};    // the request's head was complete
  uint64_t head_bytes = 0;  // the request's head as it came on the wire
};

// Anything that answers requests: the proxy pipeline, the admin API.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual awaitable<void> handle(Exchange& exchange) = 0;
  // Answers without suspending when it can (a fresh hit kept in memory, on a sink that
  // answers_at_once), leaving at most a flush() to the caller. False: nothing was sent and
  // handle() must answer. Saves the coroutine frames of the full pipeline on the commonest
  // request a CDN sees.
  virtual bool answer_at_once(Exchange&) { return false; }
};

}  // namespace edgefront::http
