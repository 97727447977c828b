// The admin exposure rule, as load_for_serving applies it after the file, --admin and reloads.
#include "config/admin_rules.h"

#include <gtest/gtest.h>

namespace edgefront::config {
namespace {

TEST(AdminRulesTest, NonLoopbackAdminNeedsAToken) {
  struct Case {
    std::optional<ListenAddress> admin;
    std::string token;
    bool refused;
  };
  const Case cases[] = {
      {ListenAddress{"127.0.0.1", 9901}, "", false},
      {ListenAddress{"127.8.9.10", 9901}, "", false},
      {ListenAddress{"::1", 9901}, "", false},
      {std::nullopt, "", false},
      {ListenAddress{"0.0.0.0", 9901}, "", true},
      {ListenAddress{"::", 9901}, "", true},
      {ListenAddress{"10.1.2.3", 0}, "", true},
      {ListenAddress{"::ffff:127.0.0.1", 9901}, "", true},  // mapped: not taken as loopback
      {ListenAddress{"0.0.0.0", 9901}, "  \t", true},
      {ListenAddress{"0.0.0.0", 9901}, "s3cret", false},
  };
  for (const Case& c : cases) {
    Server s;
    s.admin = c.admin;
    s.admin_token = c.token;
    std::optional<std::string> refused = check_admin_exposure(s);
    EXPECT_EQ(refused.has_value(), c.refused) << (c.admin ? c.admin->host : "off");
    if (refused) {
      EXPECT_EQ(
          refused->rfind("server.admin_token: required when admin listens on a non-loopback", 0),
          0u)
          << *refused;
    }
  }
}

TEST(AdminRulesTest, BlankTokens) {
  EXPECT_TRUE(is_blank_token(""));
  EXPECT_TRUE(is_blank_token(" "));
  EXPECT_TRUE(is_blank_token("\t\r\n "));
  EXPECT_FALSE(is_blank_token(" x "));
  EXPECT_FALSE(is_blank_token("s3cret"));
}

}  // namespace
}  // namespace edgefront::config
