#include "net/stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgefront::net {
namespace {

struct Pair {
  asio::io_context io;
  tcp::socket server{io};
  tcp::socket client{io};
  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    server = acceptor.accept();
  }
};

TEST(StreamWriteNow, WritesEveryBufferWhenTheSocketTakesThem) {
  Pair p;
  Stream stream(std::move(p.server));
  std::string head = "HTTP/1.1 200 OK\r\n\r\n";
  std::string body(1024, 'b');
  std::vector<asio::const_buffer> bufs{asio::buffer(head), asio::buffer(body)};
  std::error_code ec;
  EXPECT_EQ(stream.write_now(bufs, ec), head.size() + body.size());
  EXPECT_FALSE(ec);
  std::string got(head.size() + body.size(), '\0');
  asio::read(p.client, asio::buffer(got));
  EXPECT_EQ(got, head + body);
}

TEST(StreamWriteNow, StopsWithoutErrorWhenThePeerDoesNotRead) {
  Pair p;
  Stream stream(std::move(p.server));
  std::string big(64 << 20, 'x');  // far beyond the socket buffers
  std::error_code ec;
  size_t n = stream.write_now(std::vector<asio::const_buffer>{asio::buffer(big)}, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_GT(n, 0u);
  EXPECT_LT(n, big.size());
  // Nothing more fits until the peer reads: "would block" is 0 bytes, not an error.
  EXPECT_EQ(stream.write_now(std::vector<asio::const_buffer>{asio::buffer(big)}, ec), 0u);
  EXPECT_FALSE(ec);
}

TEST(StreamWriteNow, ReportsAPeerThatIsGone) {
  Pair p;
  Stream stream(std::move(p.server));
  p.client.set_option(asio::socket_base::linger(true, 0));
  p.client.close();  // RST
  std::string data(1024, 'x');
  std::error_code ec;
  for (int i = 0; i < 100 && !ec; ++i) {
    stream.write_now(std::vector<asio::const_buffer>{asio::buffer(data)}, ec);
  }
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace edgefront::net
