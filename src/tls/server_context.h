// The TLS side of one viewer listener: one OpenSSL context per certificate, chosen by SNI,
// all with the listener's security policy, ALPN and the process's ticket keys. Immutable once
// loaded; a reload builds a new one and new connections pick it up, while connections already
// established keep the SSL objects (and contexts, reference-counted by OpenSSL) they have.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "tls/server_names.h"
#include "tls/ticket_keys.h"

namespace edgefront::tls {

struct CertificateFiles {
  std::string cert;  // PEM: the certificate, then its chain
  std::string key;   // PEM private key
  std::string ocsp;  // optional DER OCSP response to staple
};

struct ServerSettings {
  std::vector<CertificateFiles> certificates;  // the first is the default
  std::string security_policy = "TLSv1.2_2021";
  bool offer_h2 = false;  // ALPN "h2" before "http/1.1"
  std::chrono::seconds session_lifetime{3600};
};

// Loads one certificate/key(/OCSP) triple the way a listener would, and reports the first
// problem in words ("key does not match the certificate", "no PEM certificate in ..."). The
// config loader uses it so a bad file is refused before anything is served.
Status check_certificate_files(const CertificateFiles& files);

class ServerContext {
 public:
  static Result<std::shared_ptr<const ServerContext>> load(const ServerSettings& settings,
                                                           std::shared_ptr<TicketKeys> keys);
  ~ServerContext();

  // A new server-side SSL for one connection (caller owns it); nullptr on allocation failure.
  SSL* new_ssl() const;
  // The DNS names of each certificate, in order (for logs and tests).
  const std::vector<std::vector<std::string>>& names() const { return names_; }

  struct Certificate;  // one SSL_CTX with its OCSP response

 private:
  ServerContext() = default;
  static int on_server_name(SSL* ssl, int* alert, void* arg);

  std::vector<std::unique_ptr<Certificate>> certificates_;
  std::vector<std::vector<std::string>> names_;
  ServerNameIndex index_;
  std::shared_ptr<TicketKeys> keys_;
};

}  // namespace edgefront::tls
