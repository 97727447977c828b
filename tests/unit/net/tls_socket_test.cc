#include "net/tls_socket.h"

#include <gtest/gtest.h>

#include <string>

#include "support/self_signed.h"

namespace edgefront::net {
namespace {

using namespace std::chrono_literals;

// A server context with a fresh self-signed P-256 certificate, all in memory.
SSL_CTX* server_context() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  test_support::SelfSigned made = test_support::make_self_signed("tls-socket.test", "", 3600);
  SSL_CTX_use_certificate(ctx, made.cert.get());
  SSL_CTX_use_PrivateKey(ctx, made.key.get());
  return ctx;
}

// A TlsSocket server and an Asio TLS client connected over loopback, handshaken.
struct Connected {
  asio::io_context io;
  asio::ssl::context client_ctx{asio::ssl::context::tls_client};
  SSL_CTX* server_ctx = server_context();
  std::unique_ptr<TlsSocket> server;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> client;

  Connected() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client = std::make_unique<asio::ssl::stream<tcp::socket>>(tcp::socket(io), client_ctx);
    client->next_layer().connect(acceptor.local_endpoint());
    server = std::make_unique<TlsSocket>(acceptor.accept(), SSL_new(server_ctx));
    std::error_code server_ec, client_ec;
    bool server_done = false;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
          co_await server->handshake(server_ec);
          server_done = true;
        },
        asio::detached);
    client->async_handshake(asio::ssl::stream_base::client,
                            [&](std::error_code ec) { client_ec = ec; });
    io.run_for(5s);
    io.restart();
    EXPECT_TRUE(server_done);
    EXPECT_FALSE(server_ec) << server_ec.message();
    EXPECT_FALSE(client_ec) << client_ec.message();
  }
  ~Connected() {
    server.reset();
    client.reset();
    SSL_CTX_free(server_ctx);
  }

  // Runs `body` as a coroutine on the loop until it ends (bounded).
  template <typename F>
  void run(F body) {
    bool done = false;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
          co_await body();
          done = true;
        },
        asio::detached);
    auto until = std::chrono::steady_clock::now() + 10s;
    while (!done && std::chrono::steady_clock::now() < until) {
      io.run_for(10ms);
      io.restart();
    }
    ASSERT_TRUE(done) << "did not finish in time";
  }

  std::string client_read_exactly(size_t n) {
    std::string got(n, '\0');
    asio::read(*client, asio::buffer(got));
    return got;
  }
};

TEST(TlsSocket, ReadsWhatTheClientSendsAndWritesBack) {
  Connected c;
  asio::write(*c.client, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  std::string got;
  c.run([&]() -> awaitable<void> {
    char buf[64];
    std::error_code ec;
    while (got.size() < 18 && !ec) {
      size_t n = co_await c.server->read_some(asio::buffer(buf), ec);
      got.append(buf, n);
    }
    std::string head = "HTTP/1.1 200 OK\r\n\r\n";
    std::string body(1024, 'b');
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body)};
    co_await c.server->write(bufs, ec);
    EXPECT_FALSE(ec) << ec.message();
  });
  EXPECT_EQ(got, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(c.client_read_exactly(19 + 1024), "HTTP/1.1 200 OK\r\n\r\n" + std::string(1024, 'b'));
}

TEST(TlsSocket, WriteNowTakesWhatFitsAndWriteSendsTheRestInOrder) {
  Connected c;
  std::string big(8 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::error_code ec;
  std::array<asio::const_buffer, 1> all{asio::buffer(big)};
  size_t now = c.server->write_now(all, ec);  // nobody reads yet: the socket fills up
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_GT(now, 0u);
  EXPECT_LT(now, big.size());
  std::string received;
  std::thread reader([&] { received = c.client_read_exactly(big.size()); });
  c.run([&]() -> awaitable<void> {
    std::array<asio::const_buffer, 1> rest{asio::buffer(big) + now};
    co_await c.server->write(rest, ec);
  });
  reader.join();
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(received == big) << "bytes lost or reordered between write_now and write";
}

TEST(TlsSocket, ShutdownSendsCloseNotifyAndThePeersIsReadAsEof) {
  Connected c;
  std::error_code ec;
  c.run([&]() -> awaitable<void> { co_await c.server->shutdown(ec); });
  EXPECT_FALSE(ec) << ec.message();
  char byte;
  std::error_code client_ec;
  c.client->read_some(asio::buffer(&byte, 1), client_ec);
  EXPECT_EQ(client_ec, asio::error::eof) << client_ec.message();  // a clean TLS end

  c.client->shutdown(client_ec);
  std::error_code read_ec;
  c.run([&]() -> awaitable<void> {
    char buf[16];
    (void)co_await c.server->read_some(asio::buffer(buf), read_ec);
  });
  EXPECT_EQ(read_ec, asio::error::eof) << read_ec.message();
}

TEST(TlsSocket, AConnectionEndingWithoutCloseNotifyIsTruncated) {
  Connected c;
  c.client->next_layer().shutdown(tcp::socket::shutdown_send);  // a FIN, no close_notify
  std::error_code ec;
  c.run([&]() -> awaitable<void> {
    char buf[16];
    (void)co_await c.server->read_some(asio::buffer(buf), ec);
  });
  EXPECT_EQ(ec, asio::ssl::error::stream_truncated) << ec.message();
}

TEST(TlsSocket, WritingToAResetPeerIsAnErrorNotASignal) {
  Connected c;
  c.client->next_layer().set_option(asio::socket_base::linger(true, 0));
  c.client->next_layer().close();  // RST
  std::string data(64 * 1024, 'x');
  std::error_code ec;
  c.run([&]() -> awaitable<void> {
    for (int i = 0; i < 64 && !ec; ++i) {
      std::array<asio::const_buffer, 1> bufs{asio::buffer(data)};
      co_await c.server->write(bufs, ec);
    }
  });
  EXPECT_TRUE(ec);
}

TEST(TlsSocket, AReaderWaitingDoesNotBlockAWriter) {
  // HTTP/2 keeps a read pending while it writes.
  Connected c;
  std::error_code read_ec, write_ec;
  size_t read_n = 0;
  bool read_done = false;
  asio::co_spawn(
      c.io,
      [&]() -> awaitable<void> {
        char buf[64];
        read_n = co_await c.server->read_some(asio::buffer(buf), read_ec);
        read_done = true;
      },
      asio::detached);
  std::string reply(100 * 1024, 'r');
  c.run([&]() -> awaitable<void> {
    std::array<asio::const_buffer, 1> bufs{asio::buffer(reply)};
    std::thread reader([&] { EXPECT_EQ(c.client_read_exactly(reply.size()), reply); });
    co_await c.server->write(bufs, write_ec);
    reader.join();
  });
  EXPECT_FALSE(write_ec) << write_ec.message();
  EXPECT_FALSE(read_done);
  asio::write(*c.client, asio::buffer(std::string("ping")));
  c.run([&]() -> awaitable<void> {
    while (!read_done) {
      asio::steady_timer t(c.io, 1ms);
      co_await t.async_wait(asio::use_awaitable);
    }
  });
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(read_n, 4u);
}

}  // namespace
}  // namespace edgefront::net
