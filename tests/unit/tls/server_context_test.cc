// ServerContext::load with certificates made here (OpenSSL API, EC P-256, self-signed):
// names from the SANs, a key that does not match, a bad OCSP file. The origin-side trust store
// (load_trust_store) is tested here too, since it needs the same certificates.
#include "tls/server_context.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "support/self_signed.h"
#include "tls/trust_store.h"

namespace edgefront::tls {
namespace {

namespace fs = std::filesystem;

// Writes <dir>/<name>.pem and <name>.key: a self-signed certificate for `san`.
CertificateFiles make_cert(const fs::path& dir, const std::string& name, const std::string& san) {
  test_support::SelfSigned made = test_support::make_self_signed(name, san);
  CertificateFiles files{(dir / (name + ".pem")).string(), (dir / (name + ".key")).string(), ""};
  FILE* f = std::fopen(files.cert.c_str(), "w");
  PEM_write_X509(f, made.cert.get());
  std::fclose(f);
  f = std::fopen(files.key.c_str(), "w");
  PEM_write_PrivateKey(f, made.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  return files;
}

class ServerContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("edgefront-tls-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ServerContextTest, NamesComeFromSansElseTheCommonName) {
  ServerSettings s;
  s.certificates = {make_cert(dir_, "a", "DNS:a.test,DNS:*.b.test,IP:127.0.0.1"),
                    make_cert(dir_, "only-cn.test", "")};
  auto loaded = ServerContext::load(s, std::make_shared<TicketKeys>());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const auto& names = loaded.value()->names();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], (std::vector<std::string>{"a.test", "*.b.test"}));
  EXPECT_EQ(names[1], (std::vector<std::string>{"only-cn.test"}));
  SSL* ssl = loaded.value()->new_ssl();
  ASSERT_NE(ssl, nullptr);
  SSL_free(ssl);
}

TEST_F(ServerContextTest, KeyOfAnotherCertificateIsRefused) {
  CertificateFiles a = make_cert(dir_, "a", "DNS:a.test");
  CertificateFiles b = make_cert(dir_, "b", "DNS:b.test");
  Status st = check_certificate_files({a.cert, b.key, ""});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "private key " + b.key + " does not match certificate " + a.cert);
}

TEST_F(ServerContextTest, MissingFilesAndBadOcspAreRefused) {
  CertificateFiles a = make_cert(dir_, "a", "DNS:a.test");
  Status missing = check_certificate_files({(dir_ / "none.pem").string(), a.key, ""});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(
      missing.error().message.rfind("cannot load certificate " + (dir_ / "none.pem").string(), 0),
      0u)
      << missing.error().message;
  std::string ocsp = (dir_ / "ocsp.der").string();
  FILE* f = std::fopen(ocsp.c_str(), "w");
  std::fputs("not DER", f);
  std::fclose(f);
  Status bad = check_certificate_files({a.cert, a.key, ocsp});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, ocsp + " is not a DER OCSP response");
  EXPECT_TRUE(check_certificate_files(a).ok());
}

TEST_F(ServerContextTest, UnknownPolicyAndNoCertificateAreRefused) {
  ServerSettings s;
  s.certificates = {make_cert(dir_, "a", "DNS:a.test")};
  s.security_policy = "TLSv1.4_2030";
  auto loaded = ServerContext::load(s, nullptr);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("unknown security policy TLSv1.4_2030"), std::string::npos);
  s.security_policy = "TLSv1.2_2021";
  s.certificates.clear();
  EXPECT_FALSE(ServerContext::load(s, nullptr).ok());
}

TEST_F(ServerContextTest, TrustStoreLoadsEveryCertificateAndRefusesOtherFiles) {
  CertificateFiles a = make_cert(dir_, "a", "DNS:a.test");
  CertificateFiles b = make_cert(dir_, "b", "DNS:b.test");
  std::string both = (dir_ / "both.pem").string();
  {
    FILE* out = std::fopen(both.c_str(), "w");
    for (const std::string& f : {a.cert, b.cert}) {
      FILE* in = std::fopen(f.c_str(), "r");
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) std::fwrite(buf, 1, n, out);
      std::fclose(in);
    }
    std::fclose(out);
  }
  auto store = load_trust_store(both);
  ASSERT_TRUE(store.ok()) << store.error().message;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store.value().get());
  EXPECT_EQ(sk_X509_OBJECT_num(objects), 2);

  auto missing = load_trust_store((dir_ / "nope.pem").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot read CA file"), std::string::npos);
  auto key_only = load_trust_store(a.key);
  ASSERT_FALSE(key_only.ok());
  EXPECT_NE(key_only.error().message.find("holds no PEM certificate"), std::string::npos);
}

}  // namespace
}  // namespace edgefront::tls
