// server.listen[].tls in native YAML: the errors a bad block produces, with field paths.
// (Loading real certificates is covered by tests/unit/tls and the end-to-end suite.)
#include <gtest/gtest.h>

#include <string>

#include "config/loader.h"

namespace edgefront::config {
namespace {

const std::string kExamples = EDGEFRONT_SOURCE_DIR "/examples";

std::string errors_of(const std::string& server_block) {
  std::string text = "server:\n" + server_block + R"(
distribution:
  origins:
    - id: web
      domain_name: 127.0.0.1
  default_cache_behavior:
    target_origin_id: web
)";
  LoadResult r = load_config_text(text, kExamples + "/inline.yaml");
  std::string out;
  for (const std::string& e : r.problems.errors) out += e + "\n";
  return out;
}

TEST(ListenTlsTest, PlainAddressesStayPlain) {
  LoadResult r = load_config_text(R"(
server:
  listen: [127.0.0.1:0, 127.0.0.1:0]
distribution:
  origins: [{id: web, domain_name: 127.0.0.1}]
  default_cache_behavior: {target_origin_id: web}
)",
                                  kExamples + "/inline.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.problems.errors);
  ASSERT_EQ(r.config.server.listen.size(), 2u);  // port 0 twice is not a duplicate
  EXPECT_FALSE(r.config.server.listen[0].tls.has_value());
}

TEST(ListenTlsTest, MissingFilesAreRefusedWithTheirPath) {
  std::string e = errors_of(R"(
  listen:
    - address: 127.0.0.1:8443
      tls:
        certificates:
          - {cert: nowhere.pem, key: nowhere.key}
)");
  EXPECT_NE(e.find("server.listen[0].tls.certificates[0]: cannot load certificate " + kExamples +
                   "/nowhere.pem"),
            std::string::npos)
      << e;
}

TEST(ListenTlsTest, FieldErrors) {
  EXPECT_NE(errors_of("  listen:\n    - address: 127.0.0.1:8443\n      tls: {}\n")
                .find("server.listen[0].tls.certificates: required"),
            std::string::npos);
  EXPECT_NE(errors_of("  listen:\n    - address: 127.0.0.1:8443\n      tls: {certificates: []}\n")
                .find("server.listen[0].tls.certificates: at least one certificate required"),
            std::string::npos);
  std::string policy = errors_of(
      "  listen:\n    - address: 127.0.0.1:8443\n      tls: {certificates: [], "
      "minimum_protocol: SSLv3}\n");
  EXPECT_NE(policy.find("server.listen[0].tls.minimum_protocol: expected one of "
                        "TLSv1|TLSv1_2016|TLSv1.1_2016|TLSv1.2_2018|TLSv1.2_2019|TLSv1.2_2021|"
                        "TLSv1.2_2025|TLSv1.3_2025"),
            std::string::npos)
      << policy;
  EXPECT_NE(errors_of("  listen:\n    - tls: {certificates: []}\n")
                .find("server.listen[0].address: required"),
            std::string::npos);
  EXPECT_NE(errors_of("  listen:\n    - {address: 127.0.0.1:8443, tls: {certificates: "
                      "[{cert: a.pem}]}}\n")
                .find("server.listen[0].tls.certificates[0].key: required"),
            std::string::npos);
  EXPECT_NE(errors_of("  listen:\n    - {address: 127.0.0.1:8443, bogus: 1}\n")
                .find("server.listen[0].bogus: unknown field"),
            std::string::npos);
  EXPECT_NE(errors_of("  admin: {address: 127.0.0.1:9901, tls: {certificates: [{cert: a.pem, "
                      "key: b.pem}]}}\n")
                .find("server.admin"),
            std::string::npos);
}

}  // namespace
}  // namespace edgefront::config
