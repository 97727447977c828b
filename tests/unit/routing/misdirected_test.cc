#include "routing/misdirected.h"

#include <gtest/gtest.h>

namespace edgefront::routing {
namespace {

struct Case {
  const char* name;
  bool unknown_host;
  const char* host;
  const char* sni;
  int status;  // 0: served
};

class HostRefusalTable : public ::testing::TestWithParam<Case> {};

TEST_P(HostRefusalTable, Status) {
  const Case& c = GetParam();
  Route route;
  route.unknown_host = c.unknown_host;
  std::optional<HostRefusal> refused = host_refusal(route, c.host, c.sni);
  EXPECT_EQ(refused ? refused->status : 0, c.status);
  if (refused) {
    EXPECT_FALSE(refused->reason.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, HostRefusalTable,
    ::testing::Values(
        // A Host the router matched is served whatever the SNI (one operator's distributions
        // share connections, like CloudFront's same-account rule).
        Case{"Matched", false, "www.example.com", "", 0},
        Case{"MatchedOtherSni", false, "www.example.com", "static.example.net", 0},
        // No distribution: CloudFront's 403 "Bad request." ...
        Case{"PlainHttp", true, "evil.test", "", 403}, Case{"NoHost", true, "", "", 403},
        Case{"SniSameName", true, "Evil.Test:443", "evil.test", 403},
        // ... or 421 when the connection was opened for another name.
        Case{"SniOtherName", true, "evil.test", "www.example.com", 421},
        Case{"SniNoHost", true, "", "www.example.com", 421}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace edgefront::routing
