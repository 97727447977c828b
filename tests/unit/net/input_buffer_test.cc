#include "net/input_buffer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "net/leased_read.h"

namespace edgefront::net {
namespace {

using namespace std::chrono_literals;

std::string text(std::span<const char> s) { return {s.data(), s.size()}; }

TEST(InputBuffer, HoldsNoBlockUntilSomethingIsRead) {
  std::ptrdiff_t before = BlockPool::local().blocks_in_use();
  {
    InputBuffer in;
    EXPECT_FALSE(in.holds_block());
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(BlockPool::local().blocks_in_use(), before);
  }
  EXPECT_EQ(BlockPool::local().blocks_in_use(), before);
}

TEST(InputBuffer, GivesTheBlockBackOnlyWhenEverythingIsConsumed) {
  std::ptrdiff_t before = BlockPool::local().blocks_in_use();
  InputBuffer in;
  asio::mutable_buffer space = in.space();
  ASSERT_EQ(space.size(), BlockPool::kBlockBytes);
  std::memcpy(space.data(), "GET / HTTP/1.1", 14);
  in.commit(14);
  EXPECT_EQ(BlockPool::local().blocks_in_use(), before + 1);
  in.consume(4);
  in.release_if_empty();  // bytes pending: kept
  EXPECT_TRUE(in.holds_block());
  EXPECT_EQ(text(in.pending()), "/ HTTP/1.1");
  in.consume(10);
  in.release_if_empty();
  EXPECT_FALSE(in.holds_block());
  EXPECT_EQ(BlockPool::local().blocks_in_use(), before);
}

TEST(InputBuffer, MovesPendingBytesToTheStartWhenTheEndIsReached) {
  InputBuffer in;
  asio::mutable_buffer space = in.space();
  std::memset(space.data(), 'x', space.size());
  static_cast<char*>(space.data())[space.size() - 1] = 'y';
  in.commit(space.size());
  in.consume(space.size() - 1);
  asio::mutable_buffer more = in.space();
  EXPECT_EQ(more.size(), BlockPool::kBlockBytes - 1);
  EXPECT_EQ(text(in.pending()), "y");
}

TEST(BlockPool, KeepsABoundedNumberOfFreeBlocks) {
  std::vector<InputBuffer> many(BlockPool::kKeptFree + 8);
  for (InputBuffer& in : many) {
    in.space();
    in.commit(1);
  }
  for (InputBuffer& in : many) {
    in.consume(1);
    in.release_if_empty();
  }
  EXPECT_EQ(BlockPool::local().free_blocks(), BlockPool::kKeptFree);
}

// The read that waits holds no block; the block is taken when bytes arrive and given back
// when they are consumed (what an idle keep-alive connection costs).
struct Pair {
  asio::io_context io;
  tcp::socket server{io};
  tcp::socket client{io};
  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    server = acceptor.accept();
    enable_drain_hint(server);
  }
  void run_until(const std::optional<std::error_code>& done) {
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(10ms);
    }
  }
};

TEST(LeasedRead, WaitsWithoutABlockAndTakesOneWhenBytesArrive) {
  Pair p;
  InputBuffer in;
  std::optional<std::error_code> done;
  size_t got = 0;
  p.server.async_read_some(LeasedBuffer{&in}, [&](std::error_code ec, size_t n) {
    done = ec;
    got = n;
  });
  p.io.restart();
  p.io.run_for(20ms);  // the read is now waiting: nothing has arrived
  ASSERT_FALSE(done);
  EXPECT_FALSE(in.holds_block());

  asio::write(p.client, asio::buffer(std::string_view("GET / HTTP/1.1\r\n\r\n")));
  p.run_until(done);
  ASSERT_TRUE(done);
  EXPECT_FALSE(*done) << done->message();
  EXPECT_EQ(got, 18u);
  EXPECT_TRUE(in.holds_block());
  EXPECT_EQ(text(in.pending()), "GET / HTTP/1.1\r\n\r\n");
  in.consume(got);
  in.release_if_empty();
  EXPECT_FALSE(in.holds_block());
}

TEST(LeasedRead, AppendsAfterPendingBytes) {
  Pair p;
  InputBuffer in;
  asio::write(p.client, asio::buffer(std::string_view("GET / HT")));
  for (int i = 0; i < 2; ++i) {
    std::optional<std::error_code> done;
    if (i == 1) asio::write(p.client, asio::buffer(std::string_view("TP/1.1")));
    p.server.async_read_some(LeasedBuffer{&in}, [&](std::error_code ec, size_t) { done = ec; });
    p.run_until(done);
    ASSERT_TRUE(done);
  }
  EXPECT_EQ(text(in.pending()), "GET / HTTP/1.1");
}

TEST(LeasedRead, EndOfStreamLeavesNoBlock) {
  Pair p;
  InputBuffer in;
  std::optional<std::error_code> done;
  p.server.async_read_some(LeasedBuffer{&in}, [&](std::error_code ec, size_t) { done = ec; });
  p.client.close();
  p.run_until(done);
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, asio::error::eof);
  EXPECT_FALSE(in.holds_block());
}

}  // namespace
}  // namespace edgefront::net
