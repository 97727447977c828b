// CloudFront's viewer security policies (MinimumProtocolVersion): the lowest TLS version and
// the TLS 1.2-and-below cipher list each name allows. TLS 1.3 suites are the same for all.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace edgefront::tls {

struct SecurityPolicy {
  std::string_view name;
  int min_version;                  // TLS1_VERSION ... TLS1_3_VERSION
  std::string_view cipher_list;     // OpenSSL names, TLS 1.2 and below
  std::string_view ciphersuites13;  // TLS 1.3
};

// Every policy name, oldest first (TLSv1 ... TLSv1.3_2025).
std::span<const SecurityPolicy> security_policies();
std::optional<SecurityPolicy> find_security_policy(std::string_view name);
// "TLSv1|TLSv1_2016|..." for error messages.
std::string security_policy_names();

inline constexpr std::string_view kDefaultSecurityPolicy = "TLSv1.2_2021";

}  // namespace edgefront::tls
