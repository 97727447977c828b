#include "net/draining_read.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace edgefront::net {
namespace {

using namespace std::chrono_literals;

struct Pair {
  asio::io_context io;
  tcp::socket server{io};
  tcp::socket client{io};
  explicit Pair(bool hint = true) {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    server = acceptor.accept();
    if (hint) enable_drain_hint(server);
  }

  struct Result {
    std::error_code ec;
    std::string data;
  };

  // Starts one read of up to `size` bytes; the result appears once the io_context runs it.
  void start_read(size_t size, std::optional<Result>& out) {
    buffer.assign(size, '\0');
    server.async_read_some(DrainingBuffer{asio::buffer(buffer)},
                           [this, &out](std::error_code ec, size_t n) {
                             out = Result{ec, buffer.substr(0, n)};
                           });
  }

  // Runs the io_context until `out` is set or two seconds pass (a lost wakeup fails, not hangs).
  void run_until(const std::optional<Result>& out) {
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!out && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(10ms);
    }
  }

  // A read of up to `size` bytes, run to completion (nullopt if it never completes).
  std::optional<Result> read(size_t size) {
    std::optional<Result> out;
    start_read(size, out);
    run_until(out);
    return out;
  }

  std::string buffer;
};

TEST(DrainingRead, ReadsWhatArrivesAfterAShortRead) {
  Pair p;
  asio::write(p.client, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  auto first = p.read(4096);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->ec);
  EXPECT_EQ(first->data, "GET / HTTP/1.1\r\n\r\n");

  // The socket was emptied: the next read waits for readiness, and data sent while it waits
  // wakes it.
  std::optional<Pair::Result> second;
  p.start_read(4096, second);
  p.io.restart();
  p.io.poll();
  EXPECT_FALSE(second);
  asio::write(p.client, asio::buffer(std::string("next")));
  p.run_until(second);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->data, "next");
}

TEST(DrainingRead, DataSentBetweenReadsIsNotLost) {
  Pair p;
  asio::write(p.client, asio::buffer(std::string("one")));
  ASSERT_TRUE(p.read(4096));
  // Arrives before the next read is started, with no reactor run in between: the readiness
  // event must still complete the read.
  asio::write(p.client, asio::buffer(std::string("two")));
  auto second = p.read(4096);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->data, "two");
}

TEST(DrainingRead, AFullBufferKeepsReadingWithoutANewEvent) {
  Pair p;
  asio::write(p.client, asio::buffer(std::string("0123456789")));
  std::string got;
  for (int i = 0; i < 3; ++i) {
    auto r = p.read(4);
    ASSERT_TRUE(r) << "read " << i << " never completed";
    EXPECT_FALSE(r->ec);
    got += r->data;
  }
  EXPECT_EQ(got, "0123456789");
}

// Data and FIN in one readiness event: the read that takes the data leaves the FIN queued,
// and no further event will come for it. A short read must not count as "emptied" here, or a
// close-delimited origin body (or a half-closing client) would stall until a timeout.
TEST(DrainingRead, SeesAFinThatArrivedWithTheData) {
  Pair p;
  std::optional<Pair::Result> first;
  p.start_read(4096, first);
  p.io.poll();  // the read is now waiting on the reactor
  asio::write(p.client, asio::buffer(std::string("last")));
  p.client.shutdown(tcp::socket::shutdown_send);
  p.run_until(first);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data, "last");
  auto end = p.read(4096);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->ec, asio::error::eof);
}

TEST(DrainingRead, WithoutTheHintReadsLikeAsio) {
  Pair p(/*hint=*/false);
  asio::write(p.client, asio::buffer(std::string("abc")));
  auto first = p.read(4096);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data, "abc");
  asio::write(p.client, asio::buffer(std::string("def")));
  p.client.shutdown(tcp::socket::shutdown_send);
  auto second = p.read(4096);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->data, "def");
  auto end = p.read(4096);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->ec, asio::error::eof);
}

}  // namespace
}  // namespace edgefront::net
