#include "http/https_redirect.h"

#include <gtest/gtest.h>

namespace edgefront::http {
namespace {

struct Case {
  std::string_view host;
  uint16_t https_port;
  std::string_view target;
  std::optional<std::string> location;
};

TEST(HttpsRedirect, LocationTable) {
  const Case cases[] = {
      {"www.example.com", 0, "/a?b=1", "https://www.example.com/a?b=1"},
      {"www.example.com", 443, "/", "https://www.example.com/"},
      // The plain-HTTP port is replaced by the HTTPS listener's.
      {"www.example.com:8080", 8443, "/x", "https://www.example.com:8443/x"},
      {"www.example.com:8080", 443, "/x", "https://www.example.com/x"},
      {"www.example.com:8080", 0, "/x", "https://www.example.com/x"},
      {"127.0.0.1:80", 8443, "/", "https://127.0.0.1:8443/"},
      {"[::1]:8080", 8443, "/", "https://[::1]:8443/"},
      {"[::1]", 0, "/", "https://[::1]/"},
      // Nothing that could turn the Location into another URL or header.
      {"", 443, "/", std::nullopt},
      {"evil.com/path", 443, "/", std::nullopt},
      {"user@evil.com", 443, "/", std::nullopt},
      {"a b", 443, "/", std::nullopt},
      {"::1", 443, "/", std::nullopt},
      {"[::1", 443, "/", std::nullopt},
      {":8080", 443, "/", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(https_redirect_location(c.host, c.https_port, c.target), c.location)
        << c.host << " " << c.https_port;
  }
}

}  // namespace
}  // namespace edgefront::http
