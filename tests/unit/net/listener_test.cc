// Sharing a listen address: the workers of one process join through SO_REUSEPORT, anyone
// else is refused.
#include "net/listener.h"

#include <gtest/gtest.h>

namespace edgefront::net {
namespace {

TEST(ListenerTest, WorkersShareAnAddressASecondFirstWorkerIsRefused) {
  asio::io_context io;
  auto first = open_listener(io, Endpoint{"127.0.0.1", 0}, Sharing::kFirstWorker);
  ASSERT_TRUE(first.ok()) << first.error().message;
  uint16_t port = first.value().local_endpoint().port();
  // The process's other workers join it.
  auto next = open_listener(io, Endpoint{"127.0.0.1", port}, Sharing::kNextWorker);
  ASSERT_TRUE(next.ok()) << next.error().message;
  // Another process's first worker (same user, SO_REUSEPORT too) does not.
  auto second = open_listener(io, Endpoint{"127.0.0.1", port}, Sharing::kFirstWorker);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("address already in use"), std::string::npos)
      << second.error().message;
  // Nor does a wildcard bind on the same port.
  EXPECT_FALSE(open_listener(io, Endpoint{"0.0.0.0", port}, Sharing::kFirstWorker).ok());
  // Once the address is free again, a first worker takes it.
  first.value().close();
  next.value().close();
  auto again = open_listener(io, Endpoint{"127.0.0.1", port}, Sharing::kFirstWorker);
  EXPECT_TRUE(again.ok()) << again.error().message;
}

TEST(ListenerTest, ExclusiveListenerIsNotShared) {
  asio::io_context io;
  auto admin = open_listener(io, Endpoint{"127.0.0.1", 0}, Sharing::kExclusive);
  ASSERT_TRUE(admin.ok());
  uint16_t port = admin.value().local_endpoint().port();
  EXPECT_FALSE(open_listener(io, Endpoint{"127.0.0.1", port}, Sharing::kExclusive).ok());
  EXPECT_FALSE(open_listener(io, Endpoint{"127.0.0.1", port}, Sharing::kFirstWorker).ok());
}

}  // namespace
}  // namespace edgefront::net
