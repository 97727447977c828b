// One pooled HTTP/1.1 connection to an origin, with its response parser and input buffer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "http/h1_parser.h"
#include "net/deadline.h"
#include "net/stream.h"

namespace edgefront::upstream {

struct OriginTlsSettings;

// Where to connect: one pool bucket per distinct value.
struct OriginEndpoint {
  std::string host;
  uint16_t port = 80;
  bool tls = false;
  // TLS only: protocol versions and trust (null: TLS 1.2 and up, the system store).
  std::shared_ptr<const OriginTlsSettings> tls_settings;
  std::string pool_key() const;
};

class OriginConnection {
 public:
  OriginConnection(net::Stream stream, std::string pool_key);
  OriginConnection(const OriginConnection&) = delete;
  OriginConnection& operator=(const OriginConnection&) = delete;

  // Reads more bytes into the input buffer within `timeout`. 0 on EOF; sets ec on error
  // (operation_aborted when the deadline passed).
  net::awaitable<size_t> read_more(std::chrono::milliseconds timeout, std::error_code& ec);
  std::span<const char> unparsed() const { return {in_.data() + begin_, end_ - begin_}; }
  void consume(size_t n) { begin_ += n; }

  net::Stream& stream() { return stream_; }
  net::Deadline& deadline() { return deadline_; }
  http::H1Parser& parser() { return parser_; }
  const std::string& pool_key() const { return pool_key_; }
  // Pooled connections expire after the origin's keep-alive timeout.
  SteadyTime idle_until() const { return idle_until_; }
  void mark_idle(SteadyTime until) { idle_until_ = until; }
  bool reusable() const;

 private:
  net::Stream stream_;
  std::string pool_key_;
  net::Deadline deadline_;
  http::H1Parser parser_;
  std::vector<char> in_;
  size_t begin_ = 0;
  size_t end_ = 0;
  SteadyTime idle_until_{};
};

}  // namespace edgefront::upstream
