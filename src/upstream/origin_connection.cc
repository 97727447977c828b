#include "upstream/origin_connection.h"

#include <fmt/format.h>

#include <cstring>

#include "upstream/tls_client.h"

namespace edgefront::upstream {

namespace {
constexpr size_t kOriginBufferSize = 64 * 1024;
// Origin response heads may be larger than viewer request heads (cookies, CSP).
constexpr http::H1Parser::Limits kOriginLimits{64 * 1024, 200, 8192};
}  // namespace

std::string OriginEndpoint::pool_key() const {
  // Connections made under other TLS settings (trust, versions) are not interchangeable.
  if (tls && tls_settings) return fmt::format("https://{}:{}#{}", host, port, tls_settings->id);
  return fmt::format("{}://{}:{}", tls ? "https" : "http", host, port);
}

OriginConnection::OriginConnection(net::Stream stream, std::string pool_key)
    : stream_(std::move(stream)),
      pool_key_(std::move(pool_key)),
      deadline_(stream_.socket().get_executor(),
                [this] {
                  std::error_code ignored;
                  stream_.socket().cancel(ignored);
                }),
      parser_(http::H1Parser::Kind::kResponse, kOriginLimits),
      in_(kOriginBufferSize) {}

net::awaitable<size_t> OriginConnection::read_more(std::chrono::milliseconds timeout,
                                                   std::error_code& ec) {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (end_ == in_.size()) {
    std::memmove(in_.data(), in_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  deadline_.expires_after(timeout);
  size_t n = co_await stream_.read_some(asio::buffer(in_.data() + end_, in_.size() - end_), ec);
  deadline_.disarm();
  if (ec == asio::error::eof) ec.clear();  // EOF is reported as n == 0
  if (ec && deadline_.expired()) ec = asio::error::timed_out;
  end_ += n;
  co_return n;
}

bool OriginConnection::reusable() const {
  return begin_ == end_ && parser_.message_complete() && parser_.keep_alive();
}

}  // namespace edgefront::upstream
