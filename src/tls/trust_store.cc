#include "tls/trust_store.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>

namespace edgefront::tls {

Result<TrustStore> load_trust_store(const std::string& pem_file) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(pem_file.c_str(), "rb"), std::fclose);
  if (!file) {
    return make_error(ErrorKind::kInternal, Fault::kInternal,
                      fmt::format("cannot read CA file {}", pem_file));
  }
  TrustStore store(X509_STORE_new(), TrustStoreFree{});
  int count = 0;
  while (X509* cert = PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store.get(), cert) == 1) ++count;
    X509_free(cert);
  }
  ERR_clear_error();  // the read that ends the loop leaves "no start line" behind
  if (count == 0) {
    return make_error(ErrorKind::kInternal, Fault::kInternal,
                      fmt::format("CA file {} holds no PEM certificate", pem_file));
  }
  return store;
}

}  // namespace edgefront::tls
