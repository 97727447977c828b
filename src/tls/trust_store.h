// Certificate authorities an origin's certificate is verified against, from a PEM file given
// in the config (instead of the system trust store).
#pragma once

#include <openssl/x509.h>

#include <memory>
#include <string>

#include "base/result.h"

namespace edgefront::tls {

struct TrustStoreFree {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
using TrustStore = std::shared_ptr<X509_STORE>;

// Every certificate in `pem_file`; an error naming the file when it cannot be read or holds
// no certificate.
Result<TrustStore> load_trust_store(const std::string& pem_file);

}  // namespace edgefront::tls
