// HTTP/2 with prior knowledge on a plain listener (h2c): the connection starts with the
// client preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". Peeked, not read, so an HTTP/1.1 codec
// still sees every byte.
#pragma once

#include <chrono>
#include <string_view>

#include "net/asio.h"

namespace edgefront::http {

inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class PrefaceMatch { kNo, kPartial, kYes };
// Pure: does `start` (the first bytes of a connection) begin the preface?
PrefaceMatch match_h2_preface(std::string_view start);

enum class FirstBytes { kHttp1, kHttp2, kNothing };
// Waits until the first bytes tell HTTP/2 from HTTP/1.x. kNothing: EOF, error, or nothing
// within `timeout` (the caller closes the connection; it was idle that long).
net::awaitable<FirstBytes> sniff_first_bytes(net::tcp::socket& socket,
                                             std::chrono::milliseconds timeout);

}  // namespace edgefront::http
