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
    char peek[kH2Preface.size()];
    ssize_t n = ::recv(socket.native_handle(), peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;  // spurious wake-up
    if (n <= 0) co_return FirstBytes::kNothing;
    switch (match_h2_preface({peek, static_cast<size_t>(n)})) {
      case PrefaceMatch::kNo:
        co_return FirstBytes::kHttp1;
      case PrefaceMatch::kYes:
        co_return FirstBytes::kHttp2;
      case PrefaceMatch::kPartial:
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
