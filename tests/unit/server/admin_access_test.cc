// Who may use the admin API: the decision table, loopback Host names, token comparison.
#include "server/admin_access.h"

#include <gtest/gtest.h>

#include <string>

namespace edgefront::server {
namespace {

using http::Method;
using std::nullopt;

TEST(AdminAccessTest, Decisions) {
  struct Case {
    const char* name;
    AdminRequestFacts request;
    std::string token;
    AdminAccess want;
  };
  const Case cases[] = {
      // No token: reads are open.
      {"read", {Method::kGet, nullopt, nullopt, "127.0.0.1:9901"}, "", AdminAccess::kAllow},
      {"read_any_host",
       {Method::kGet, nullopt, "https://evil.example", "evil.example"},
       "",
       AdminAccess::kAllow},
      {"head", {Method::kHead, nullopt, nullopt, nullopt}, "", AdminAccess::kAllow},
      // No token: writes need a loopback Host and no Origin.
      {"write_loopback",
       {Method::kPost, nullopt, nullopt, "127.0.0.1:9901"},
       "",
       AdminAccess::kAllow},
      {"write_localhost",
       {Method::kDelete, nullopt, nullopt, "localhost"},
       "",
       AdminAccess::kAllow},
      {"write_v6", {Method::kPut, nullopt, nullopt, "[::1]:9901"}, "", AdminAccess::kAllow},
      {"write_with_origin",
       {Method::kPost, nullopt, "http://127.0.0.1:9901", "127.0.0.1:9901"},
       "",
       AdminAccess::kForbidden},
      {"write_with_null_origin",
       {Method::kPost, nullopt, "null", "localhost:9901"},
       "",
       AdminAccess::kForbidden},
      {"write_rebound_name",
       {Method::kPost, nullopt, nullopt, "evil.example:9901"},
       "",
       AdminAccess::kForbidden},
      {"write_no_host", {Method::kPost, nullopt, nullopt, nullopt}, "", AdminAccess::kForbidden},
      {"write_patch",
       {Method::kPatch, nullopt, nullopt, "evil.example"},
       "",
       AdminAccess::kForbidden},
      {"write_other_method",
       {Method::kOther, nullopt, nullopt, "evil.example"},
       "",
       AdminAccess::kForbidden},
      {"options_is_a_write",
       {Method::kOptions, nullopt, "https://evil.example", "localhost"},
       "",
       AdminAccess::kForbidden},
      // A token: every request carries it, from anywhere.
      {"token_read_missing",
       {Method::kGet, nullopt, nullopt, "127.0.0.1"},
       "s3cret",
       AdminAccess::kUnauthorized},
      {"token_read",
       {Method::kGet, "Bearer s3cret", nullopt, "10.0.0.1:9901"},
       "s3cret",
       AdminAccess::kAllow},
      {"token_write_remote",
       {Method::kPost, "Bearer s3cret", nullopt, "10.0.0.1:9901"},
       "s3cret",
       AdminAccess::kAllow},
      {"token_wrong",
       {Method::kGet, "Bearer s3cre", nullopt, "127.0.0.1"},
       "s3cret",
       AdminAccess::kUnauthorized},
      {"token_longer",
       {Method::kGet, "Bearer s3cretX", nullopt, "127.0.0.1"},
       "s3cret",
       AdminAccess::kUnauthorized},
      {"token_no_scheme",
       {Method::kGet, "s3cret", nullopt, "127.0.0.1"},
       "s3cret",
       AdminAccess::kUnauthorized},
      {"token_basic",
       {Method::kGet, "Basic s3cret", nullopt, "127.0.0.1"},
       "s3cret",
       AdminAccess::kUnauthorized},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(decide_admin_access(c.request, c.token), c.want) << c.name;
  }
}

TEST(AdminAccessTest, LoopbackHosts) {
  struct Case {
    const char* host;
    bool loopback;
  };
  const Case cases[] = {
      {"localhost", true},
      {"LocalHost:80", true},
      {"127.0.0.1", true},
      {"127.0.0.1:9901", true},
      {"[::1]", true},
      {"[::1]:9901", true},
      {"", false},
      {"localhost:", false},
      {"localhost:x", false},
      {"localhost.evil.example", false},
      {"evil.localhost", false},
      {"127.0.0.1.nip.io", false},
      {"::1", false},
      {"[::1]x", false},
      {"127.0.0.1:80:80", false},
      {"0.0.0.0", false},
      {"10.0.0.1:9901", false},
      {"localhost :80", false},
  };
  for (const Case& c : cases) EXPECT_EQ(is_loopback_host(c.host), c.loopback) << c.host;
}

TEST(AdminAccessTest, BearerMatchesOnlyTheExactToken) {
  EXPECT_TRUE(bearer_matches("Bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abd", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer ab", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abc ", "abc"));
  EXPECT_FALSE(bearer_matches("bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("", "abc"));
  EXPECT_TRUE(bearer_matches(std::string("Bearer a\0c", 10), std::string("a\0c", 3)));
  EXPECT_FALSE(bearer_matches(std::string("Bearer a\0d", 10), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace edgefront::server
