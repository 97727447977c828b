#include "http/h2_preface.h"

#include <sys/socket.h>

#include <cerrno>

#include "net/deadline.h"

namespace edgefront::http {

PrefaceMatch match_h2_preface(std::string_view start) {
  size_t n = std::min(start.size(), kH2Preface.size());
  if (start.substr(0, n) != kH2Preface.substr(0, n)) return PrefaceMatch::kNo;
  return n == kH2Preface.size() ? PrefaceMatch::kYes : PrefaceMatch::kPartial;
}

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// " HTTP/d.d" at the end of a request line.
bool ends_with_http_version(std::string_view line) {
  constexpr size_t kLength = 9;
  if (line.size() <= kLength) return false;
  std::string_view v = line.substr(line.size() - kLength);
  return v.substr(0, 6) == " HTTP/" && is_digit(v[6]) && v[7] == '.' && is_digit(v[8]);
}

}  // namespace

Protocol guess_protocol(std::string_view start) {
  switch (match_h2_preface(start)) {
    case PrefaceMatch::kYes:
      return Protocol::kHttp2;
    case PrefaceMatch::kPartial:
      return Protocol::kUndecided;
    case PrefaceMatch::kNo:
      break;
  }
  size_t lf = start.find('\n');
  if (lf == std::string_view::npos) return Protocol::kHttp1;
  std::string_view line = start.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return ends_with_http_version(line) ? Protocol::kHttp1 : Protocol::kHttp2;
}

net::awaitable<FirstBytes> sniff_first_bytes(net::tcp::socket& socket,
                                             std::chrono::milliseconds timeout) {
  net::Deadline deadline(socket.get_executor(), [&socket] {
    std::error_code ignored;
    socket.cancel(ignored);
  });
  deadline.expires_after(timeout);
  asio::steady_timer pause(socket.get_executor());
  while (true) {
    std::error_code ec;
    co_await socket.async_wait(net::tcp::socket::wait_read, net::use_ec(ec));
    if (ec || deadline.expired()) co_return FirstBytes::kNothing;
    char peek[kProtocolGuessBytes];
    ssize_t n = ::recv(socket.native_handle(), peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;  // spurious wake-up
    if (n <= 0) co_return FirstBytes::kNothing;
    switch (guess_protocol({peek, static_cast<size_t>(n)})) {
      case Protocol::kHttp1:
        co_return FirstBytes::kHttp1;
      case Protocol::kHttp2:
        co_return FirstBytes::kHttp2;
      case Protocol::kUndecided:
        // The rest of the 24 bytes is on its way; look again shortly instead of spinning on
        // a readable socket whose bytes are not consumed.
        pause.expires_after(std::chrono::milliseconds(1));
        co_await pause.async_wait(net::use_ec(ec));
        if (deadline.expired()) co_return FirstBytes::kNothing;
        break;
    }
  }
}

}  // namespace edgefront::http
