#include "tls/security_policy.h"

#include <openssl/ssl.h>

namespace edgefront::tls {

namespace {

// CloudFront's "Supported protocols and ciphers between viewers and CloudFront" table, in
// OpenSSL's names; ECDSA and RSA variants of each ECDHE suite. Policies that allow TLS 1.0/1.1
// need security level 0, since OpenSSL 3 refuses their SHA-1 handshake signatures otherwise.
constexpr std::string_view kTls13 =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

constexpr std::string_view kCiphers2016 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
    "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
    "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA:AES128-SHA:@SECLEVEL=0";

constexpr std::string_view kCiphersTlsV1 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
    "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
    "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA:AES128-SHA:"
    "DES-CBC3-SHA:@SECLEVEL=0";

constexpr std::string_view kCiphers2018 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
    "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256";

constexpr std::string_view kCiphers2019 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384";

constexpr std::string_view kCiphers2021 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The 2025 policies: TLS 1.2 with ECDHE AES-GCM only; TLSv1.3_2025 allows TLS 1.3 alone (its
// TLS 1.2 list is never used).
constexpr std::string_view kCiphers2025 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";

constexpr SecurityPolicy kPolicies[] = {
    {"TLSv1", TLS1_VERSION, kCiphersTlsV1, kTls13},
    {"TLSv1_2016", TLS1_VERSION, kCiphers2016, kTls13},
    {"TLSv1.1_2016", TLS1_1_VERSION, kCiphers2016, kTls13},
    {"TLSv1.2_2018", TLS1_2_VERSION, kCiphers2018, kTls13},
    {"TLSv1.2_2019", TLS1_2_VERSION, kCiphers2019, kTls13},
    {"TLSv1.2_2021", TLS1_2_VERSION, kCiphers2021, kTls13},
    {"TLSv1.2_2025", TLS1_2_VERSION, kCiphers2025, kTls13},
    {"TLSv1.3_2025", TLS1_3_VERSION, kCiphers2025, kTls13},
};

}  // namespace

std::span<const SecurityPolicy> security_policies() { return kPolicies; }

std::optional<SecurityPolicy> find_security_policy(std::string_view name) {
  for (const SecurityPolicy& p : kPolicies) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

std::string security_policy_names() {
  std::string out;
  for (const SecurityPolicy& p : kPolicies) {
    if (!out.empty()) out += '|';
    out += p.name;
  }
  return out;
}

}  // namespace edgefront::tls
