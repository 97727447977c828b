// Session ticket keys shared by every TLS context of the process, so a ticket stays valid
// across certificate reloads and SNI contexts. rotate() makes a new current key; tickets made
// with the previous one are still accepted (and renewed) for one more period, older ones fall
// back to a full handshake.
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <array>
#include <mutex>

namespace edgefront::tls {

class TicketKeys {
 public:
  TicketKeys();  // starts with a fresh random current key
  void rotate();
  // Installs the ticket callback on `ctx` (the keys must outlive it).
  void install(SSL_CTX* ctx);

  // The body of OpenSSL's ticket key callback: 1 = key found (or ticket made), 2 = found with
  // an old key (renew the ticket), 0 = unknown key (full handshake), -1 = failure.
  int crypt(unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
            int encrypt);

 private:
  struct Key {
    std::array<unsigned char, 16> name{};
    std::array<unsigned char, 32> aes{};
    std::array<unsigned char, 32> hmac{};
    bool valid = false;
  };
  static Key make_key();
  static int use(const Key& key, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                 int encrypt);

  std::mutex mutex_;  // handshakes on every worker read; the control thread rotates
  Key current_;
  Key previous_;
};

}  // namespace edgefront::tls
