// HTTP/2 with prior knowledge on a plain listener (h2c): the connection starts with the
// client preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". Peeked, not read, so an HTTP/1.1 codec
// still sees every byte.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "net/asio.h"

namespace edgefront::http {

inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class PrefaceMatch { kNo, kPartial, kYes };
// Pure: does `start` (the first bytes of a connection) begin the preface?
PrefaceMatch match_h2_preface(std::string_view start);

enum class Protocol { kHttp1, kHttp2, kUndecided };
// Pure: which codec the first bytes of a plain connection call for. The preface means h2c;
// so does a first line with no `HTTP/d.d` version at its end, which is no HTTP/1.x request
// (RFC 9112 3): most likely an h2c client whose preface is wrong, and RFC 9113 3.4 makes
// that a connection error, not a 400 page in a protocol it does not speak. Bytes with no
// line end yet are HTTP/1.x (a request line split across reads); kUndecided: a prefix of
// the preface.
Protocol guess_protocol(std::string_view start);
// How many first bytes guess_protocol looks at (a longer first line is HTTP/1.x).
inline constexpr size_t kProtocolGuessBytes = 256;

enum class FirstBytes { kHttp1, kHttp2, kNothing };
// Waits until the first bytes tell HTTP/2 from HTTP/1.x. kNothing: EOF, error, or nothing
// within `timeout` (the caller closes the connection; it was idle that long).
net::awaitable<FirstBytes> sniff_first_bytes(net::tcp::socket& socket,
                                             std::chrono::milliseconds timeout);

}  // namespace edgefront::http
